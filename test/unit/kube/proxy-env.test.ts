// Proxy selection from the environment, as kubectl (Go's httpproxy) does it.
import * as assert from 'assert';
import { proxyFromEnvironment } from '../../../src/adapters/kube/index';

describe('kube adapter: proxy from the environment', function () {
  const env = { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'http://plain.corp:8080' };

  it('uses HTTPS_PROXY for https servers and HTTP_PROXY for http ones', function () {
    assert.strictEqual(proxyFromEnvironment('https://k8s.example.com:6443', env), 'http://proxy.corp:3128');
    assert.strictEqual(proxyFromEnvironment('http://k8s.example.com:8080', env), 'http://plain.corp:8080');
    assert.strictEqual(proxyFromEnvironment('https://k8s.example.com', { https_proxy: 'proxy.corp:3128' }), 'http://proxy.corp:3128');
  });

  it('never proxies loopback servers', function () {
    assert.strictEqual(proxyFromEnvironment('https://127.0.0.1:6443', env), undefined);
    assert.strictEqual(proxyFromEnvironment('https://localhost:6443', env), undefined);
    assert.strictEqual(proxyFromEnvironment('https://[::1]:6443', env), undefined);
  });

  it('honours NO_PROXY domains, IPs, CIDRs, ports and *', function () {
    const with_ = (NO_PROXY: string) => ({ ...env, NO_PROXY });
    assert.strictEqual(proxyFromEnvironment('https://api.k8s.corp:6443', with_('.corp')), undefined);
    assert.strictEqual(proxyFromEnvironment('https://api.k8s.corp:6443', with_('k8s.corp')), undefined);
    assert.strictEqual(proxyFromEnvironment('https://k8s.corp:6443', with_('k8s.corp')), undefined);
    assert.strictEqual(proxyFromEnvironment('https://notk8s.corp:6443', with_('k8s.corp')), 'http://proxy.corp:3128');
    assert.strictEqual(proxyFromEnvironment('https://10.1.2.3:6443', with_('10.0.0.0/8')), undefined);
    assert.strictEqual(proxyFromEnvironment('https://11.1.2.3:6443', with_('10.0.0.0/8')), 'http://proxy.corp:3128');
    assert.strictEqual(proxyFromEnvironment('https://10.1.2.3:6443', with_('10.1.2.3:443')), 'http://proxy.corp:3128');
    assert.strictEqual(proxyFromEnvironment('https://10.1.2.3:6443', with_('10.1.2.3:6443')), undefined);
    assert.strictEqual(proxyFromEnvironment('https://anything:6443', with_('*')), undefined);
  });

  it('connects directly when no proxy variable is set', function () {
    assert.strictEqual(proxyFromEnvironment('https://k8s.example.com', {}), undefined);
  });
});
