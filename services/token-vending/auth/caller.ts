/** The verified caller. Claims stay here and in the policy; they never reach a log line. */
export type Caller =
  | {
      readonly kind: 'user';
      readonly sub: string;
      readonly roles: readonly string[];
      readonly claims: Readonly<Record<string, unknown>>;
    }
  | { readonly kind: 'anonymous'; readonly userId: string };
