/**
 * What the W&B emulator shares with the subgraph: W&B's id encoding, the
 * even sampling of history positions, and how NaN and ±Infinity are found
 * in W&B's JSON text. The emulator imports this module and
 * nothing else of the subgraph (an ESLint rule holds the boundary).
 */
export { decodeNodeId, decodeRunId, encodeNodeId, encodeRunId, type RunRef } from './ids.js';
export { sampleTargets } from '../history/sampling.js';
export { withNonFinite } from './nonFinite.js';
