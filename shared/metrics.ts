/**
 * CloudWatch embedded metric format (EMF): one JSON log line that is also a metric record, so a
 * Lambda counts without a metrics client or an API call. Every deployable that counts writes its
 * lines through `metricFields`, which the logger then serialises.
 * (CloudWatch Logs: "Specification: Embedded metric format".)
 */
export type MetricUnit = 'Count' | 'Milliseconds';

/**
 * The fields to add to a log line: each metric's value under its name, the dimensions' values, and
 * the `_aws` block naming them. Dimension values are fields of the same line (e.g. `Cause`).
 */
export function metricFields(
  namespace: string,
  metrics: Readonly<Record<string, number>>,
  options: {
    readonly dimensions?: Readonly<Record<string, string>>;
    readonly unit?: MetricUnit;
    readonly at?: number;
  } = {},
): Record<string, unknown> {
  const dimensions = options.dimensions ?? {};
  return {
    ...dimensions,
    ...metrics,
    _aws: {
      Timestamp: options.at ?? Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.keys(metrics).map((name) => ({ Name: name, Unit: options.unit ?? 'Count' })),
        },
      ],
    },
  };
}
