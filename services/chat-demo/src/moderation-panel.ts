/**
 * The moderation DOM: the panel of current bans and timeouts (each with Lift), and the small form a
 * moderator fills under a message to ban or time out its sender. What to show comes from
 * moderation.ts; user ids, names and reasons reach the DOM through textContent only.
 */
import { IVS_LIMITS } from '../../../shared/ivs/limits.js';
import { textElement } from './dom.js';
import { durationChoices, restrictionLine, type Restriction, type RestrictionKind } from './moderation.js';

export interface ModerationPanelElements {
  readonly panel: HTMLElement;
  readonly refresh: HTMLButtonElement;
  readonly error: HTMLElement;
  readonly timeouts: HTMLUListElement;
  readonly timeoutsEmpty: HTMLElement;
  readonly bans: HTMLUListElement;
  readonly bansEmpty: HTMLElement;
}

const NOUN: Record<RestrictionKind, string> = { ban: 'ban', timeout: 'timeout' };

function restrictionItem(
  kind: RestrictionKind,
  restriction: Restriction,
  names: ReadonlyMap<string, string>,
  now: Date,
  lift: (kind: RestrictionKind, restriction: Restriction, button: HTMLButtonElement) => void,
): HTMLLIElement {
  const line = restrictionLine(restriction, names, now);
  const item = document.createElement('li');
  item.className = 'restriction';
  item.dataset['userId'] = restriction.userId;
  const button = textElement('button', 'secondary restriction-lift', 'Lift');
  button.type = 'button';
  button.setAttribute(
    'aria-label',
    `Lift the ${NOUN[kind]} of ${names.get(restriction.userId) ?? restriction.userId}`,
  );
  button.addEventListener('click', () => {
    lift(kind, restriction, button);
  });
  item.append(
    textElement('span', 'restriction-who', line.who),
    textElement('span', 'restriction-detail', line.detail),
    button,
  );
  return item;
}

export function renderRestrictions(
  ui: ModerationPanelElements,
  lists: { readonly bans: readonly Restriction[]; readonly timeouts: readonly Restriction[] },
  names: ReadonlyMap<string, string>,
  now: Date,
  lift: (kind: RestrictionKind, restriction: Restriction, button: HTMLButtonElement) => void,
): void {
  ui.timeouts.replaceChildren(
    ...lists.timeouts.map((entry) => restrictionItem('timeout', entry, names, now, lift)),
  );
  ui.timeoutsEmpty.hidden = lists.timeouts.length > 0;
  ui.bans.replaceChildren(...lists.bans.map((entry) => restrictionItem('ban', entry, names, now, lift)));
  ui.bansEmpty.hidden = lists.bans.length > 0;
}

export interface RestrictRequest {
  readonly durationMinutes: number | undefined;
  readonly rawReason: string;
}

const VERB: Record<RestrictionKind, string> = { ban: 'Ban', timeout: 'Time out' };

/**
 * The form under a message: duration, optional reason, confirm and cancel. `submit` resolves to an
 * error text to show in the form, or undefined when done (the caller then removes the form).
 */
export function restrictForm(
  kind: RestrictionKind,
  senderName: string,
  submit: (request: RestrictRequest) => Promise<string | undefined>,
  cancel: () => void,
): HTMLFormElement {
  const form = document.createElement('form');
  form.className = `restrict-form ${kind}`;
  form.noValidate = true;
  form.setAttribute('aria-label', `${VERB[kind]} ${senderName}`);

  const durationLabel = document.createElement('label');
  durationLabel.textContent = 'Duration';
  const duration = document.createElement('select');
  durationChoices(kind).forEach((choice, index) => {
    const option = document.createElement('option');
    option.value = String(index);
    option.textContent = choice.label;
    duration.append(option);
  });
  durationLabel.append(duration);

  const reasonLabel = document.createElement('label');
  reasonLabel.textContent = 'Reason (optional)';
  const reason = document.createElement('input');
  reason.type = 'text';
  reason.maxLength = IVS_LIMITS.reasonLength.max;
  reason.autocomplete = 'off';
  reasonLabel.append(reason);

  const confirm = textElement('button', `action confirm ${kind}`, `${VERB[kind]} ${senderName}`);
  confirm.type = 'submit';
  const dismiss = textElement('button', 'secondary', 'Cancel');
  dismiss.type = 'button';
  dismiss.addEventListener('click', cancel);
  const error = textElement('p', 'error', '');
  error.setAttribute('role', 'alert');

  const buttons = document.createElement('div');
  buttons.className = 'restrict-buttons';
  buttons.append(confirm, dismiss);
  form.append(durationLabel, reasonLabel, buttons, error);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const choice = durationChoices(kind)[Number(duration.value)];
    if (choice === undefined) return;
    confirm.disabled = true;
    error.textContent = '';
    void submit({ durationMinutes: choice.minutes, rawReason: reason.value }).then((problem) => {
      confirm.disabled = false;
      if (problem !== undefined) error.textContent = problem;
    });
  });
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') cancel();
  });
  return form;
}
