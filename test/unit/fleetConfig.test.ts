/**
 * Configuration of the fleet and of tracing (REDIS_URL, OTEL_*), and the
 * rate-limit gate of a process without Redis.
 */
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { createRateLimitGate } from '../../src/fleet/rateLimits.js';
import { tracesEndpoint, tracingConfigured } from '../../src/observability/tracing.js';

describe('fleet and tracing configuration', () => {
  it('REDIS_URL is off by default, and must be redis:// or rediss://', () => {
    expect(loadConfig({}).redisUrl).toBeNull();
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/0' }).redisUrl).toBe('redis://127.0.0.1:6379/0');
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@cache.internal:6380' }).redisUrl).toBe('rediss://:pw@cache.internal:6380');
    for (const bad of ['http://127.0.0.1:6379', 'not a url', 'redis//x']) {
      expect(() => loadConfig({ REDIS_URL: bad })).toThrow('REDIS_URL must be a redis:// or rediss:// URL');
    }
  });

  it('a malformed REDIS_URL is reported without quoting it (it may hold a password)', () => {
    let message = '';
    try {
      loadConfig({ REDIS_URL: 'http://user:s3cret@host:6379' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain('s3cret');
  });

  it('tracing is on only with an OTLP endpoint, and OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none turn it off', () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'TRUE' })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
  });

  it('spans go to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else to OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces', () => {
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe('http://collector:4318/v1/traces');
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:9999/traces' })).toBe('http://b:9999/traces');
  });
});

describe('the rate-limit gate of one process', () => {
  it('holds back the limited key until its time, never another key, and caps absurd waits at 10 minutes', () => {
    const gate = createRateLimitGate();
    expect(gate.waitMs('a')).toBe(0);
    gate.limited('a', Date.now() + 2000);
    expect(gate.waitMs('a')).toBeGreaterThan(1900);
    expect(gate.waitMs('b')).toBe(0);
    // An earlier time does not shorten a longer wait.
    gate.limited('a', Date.now() + 10);
    expect(gate.waitMs('a')).toBeGreaterThan(1900);
    gate.limited('c', Date.now() + 365 * 86_400_000);
    expect(gate.waitMs('c')).toBeLessThanOrEqual(600_000);
    gate.limited('d', Date.now() - 1000);
    expect(gate.waitMs('d')).toBe(0);
    gate.close();
  });
});
