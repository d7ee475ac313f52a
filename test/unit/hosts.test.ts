import { describe, expect, it } from '@jest/globals';
import { createHostCheck } from '../../src/http/hosts.js';

describe('the Host names the server answers', () => {
  it('bound to loopback: loopback names only, any port, any case', () => {
    const check = createHostCheck(null, '127.0.0.1');
    for (const host of ['localhost', 'localhost:4001', '127.0.0.1:4001', '[::1]:4001', 'LocalHost:1', undefined]) expect(check(host)).toBe(true);
    for (const host of ['attacker.example:4001', '127.0.0.2:4001', 'localhost.attacker.example', '']) expect(check(host)).toBe(false);
  });

  it('bound to every interface: any name, unless ALLOWED_HOSTS names some', () => {
    expect(createHostCheck(null, '0.0.0.0')('wandb.internal:4001')).toBe(true);
    const named = createHostCheck(['wandb.internal', 'api.example.com'], '0.0.0.0');
    expect(named('wandb.internal:4001')).toBe(true);
    expect(named('API.example.com')).toBe(true);
    expect(named('localhost:4001')).toBe(false);
    expect(createHostCheck(['*'], '127.0.0.1')('anything:1')).toBe(true);
  });
});
