import bytesText from 'bytes';

/** Bytes as a person reads them, in the units tranche.yaml takes (1 MB = 1,048,576 bytes): 1.2 MB. */
export function formatBytes(bytes: number): string {
  return bytesText.format(bytes, { unitSeparator: ' ', decimalPlaces: 1 }) ?? `${bytes} B`;
}

/** A duration in seconds with one decimal. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A count with thousands separators. */
export function formatCount(n: number): string {
  // Not toLocaleString: its first call loads ICU's locale data, ~50 ms of every sync's summary.
  const [whole = '', fraction] = String(n).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction.slice(0, 3)}`;
}
