import { parse } from 'yaml';
import type { SweepResolvers } from '../src/generated/subgraph.js';

export const Sweep: SweepResolvers = {
  id: (s) => s.id,
  name: (s) => s.name,
  state: (s) => s.state,
  bestLoss: (s) => s.bestLoss,
  /** W&B keeps the sweep config as YAML (JSON is YAML too); it is returned parsed, or as text when it does not parse. */
  config: (s) => {
    try {
      return parse(s.config) as unknown;
    } catch {
      return s.config;
    }
  },
};
