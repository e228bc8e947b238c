// The flags every Chromium launch uses: no sandbox (CI containers run as root), no GPU, and no
// background traffic (updates, sync, QUIC probes) that could slow or disturb a measured run.
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];
