import { describe, expect, it } from '@jest/globals';
import { createHostCheck } from '../../src/http/hosts.js';

describe('the Host names the server answers', () => {
  it('bound to loopback: localhost and any IP address, any port, any case; no other name', () => {
    const check = createHostCheck(null, '127.0.0.2');
    for (const host of ['localhost', 'localhost:4001', '127.0.0.1:4001', '127.0.0.2:4001', '[::1]:4001', '10.1.2.3:4001', 'LocalHost:1', undefined]) expect(check(host)).toBe(true);
    for (const host of ['attacker.example:4001', 'localhost.attacker.example', '127.0.0.1.nip.io', '']) expect(check(host)).toBe(false);
  });

  it('bound to every interface: any name, unless ALLOWED_HOSTS names some (a port given with one is ignored)', () => {
    expect(createHostCheck(null, '0.0.0.0')('wandb.internal:4001')).toBe(true);
    const named = createHostCheck(['wandb.internal:4001', 'api.example.com'], '0.0.0.0');
    expect(named('wandb.internal:4001')).toBe(true);
    expect(named('API.example.com')).toBe(true);
    expect(named('10.0.0.7:4001')).toBe(true);
    expect(named('localhost:4001')).toBe(false);
    expect(createHostCheck(['*'], '127.0.0.1')('anything:1')).toBe(true);
  });
});
