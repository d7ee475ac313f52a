/** The configuration read from the environment: production's required variables, the metrics port. */
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('refuses NODE_ENV=production without WANDB_BASE_URL, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/WANDB_BASE_URL is required when NODE_ENV=production/);
    expect(() => loadConfig({ NODE_ENV: 'production', WANDB_BASE_URL: '' })).toThrow(/WANDB_BASE_URL/);
  });

  it('accepts production with WANDB_BASE_URL, and demo mode outside production', () => {
    const production = loadConfig({ NODE_ENV: 'production', WANDB_BASE_URL: 'https://api.wandb.ai/' });
    expect(production.production).toBe(true);
    expect(production.wandbBaseUrl).toBe('https://api.wandb.ai');
    const demo = loadConfig({});
    expect(demo.production).toBe(false);
    expect(demo.wandbBaseUrl).toBeNull();
  });

  it('serves warm queries without Apollo\'s pipeline unless WARM_PATH=false', () => {
    expect(loadConfig({}).warmPath).toBe(true);
    expect(loadConfig({ WARM_PATH: 'false' }).warmPath).toBe(false);
    expect(() => loadConfig({ WARM_PATH: 'sometimes' })).toThrow(/WARM_PATH must be true or false/);
  });

  it('listens on loopback by default; HOST changes it', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('reads ALLOWED_HOSTS and MAX_CONNECTIONS', () => {
    expect(loadConfig({}).allowedHosts).toBeNull();
    expect(loadConfig({ ALLOWED_HOSTS: 'wandb.internal, api.example.com' }).allowedHosts).toEqual(['wandb.internal', 'api.example.com']);
    expect(loadConfig({}).maxConnections).toBe(4096);
    expect(loadConfig({ MAX_CONNECTIONS: '20000' }).maxConnections).toBe(20000);
    expect(() => loadConfig({ MAX_CONNECTIONS: '0' })).toThrow(/MAX_CONNECTIONS/);
  });

  it('reads METRICS_PORT, which must be a port other than PORT', () => {
    expect(loadConfig({}).metricsPort).toBeNull();
    expect(loadConfig({ METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect(() => loadConfig({ METRICS_PORT: 'x' })).toThrow(/METRICS_PORT must be an integer/);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ PORT: '9000', METRICS_PORT: '9000' })).toThrow(/METRICS_PORT must differ from PORT/);
  });
});
