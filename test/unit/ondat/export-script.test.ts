import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_TEMPLATE } from '../../../src/procedures/ondat/default-template';
import { exportScript } from '../../../src/procedures/ondat/export-script';
import { renderTemplate } from '../../../src/procedures/ondat/render-template';

// A stand-in for kubectl/oc: answers the calls the script makes from files in $FAKE_STATE and records every call.
const FAKE_CLI = `#!/usr/bin/env bash
set -u
S="$FAKE_STATE"
echo "$*" >> "$S/calls"
args="$*"
case "$args" in
  *"get daemonset"*"--ignore-not-found -o name"*) [ -f "$S/ds" ] && echo "daemonset.apps/x" ; exit 0 ;;
  *"get daemonset"*"template-hash"*) cat "$S/hash" 2>/dev/null; exit 0 ;;
  *"get daemonset"*"metadata.uid"*) echo ds-uid; exit 0 ;;
  *"get events"*"reason=FailedCreate"*) cat "$S/created" 2>/dev/null; exit 0 ;;
  *"get events"*) u=$(printf '%s' "$args" | sed -n 's/.*involvedObject.uid=\\([^,]*\\),type=Warning.*/\\1/p'); cat "$S/events.$u" 2>/dev/null; exit 0 ;;
  *"create -f -"*) cat > "$S/manifest"; touch "$S/ds"; echo "daemonset.apps/x created"; exit 0 ;;
  *"delete daemonset"*) rm -f "$S/ds"; echo deleted; exit 0 ;;
  *"get pods"*) n=$(cat "$S/polls" 2>/dev/null || echo 0); echo $((n+1)) > "$S/polls"; f="$S/pods.$n"; [ -f "$f" ] || f="$S/pods"; cat "$f"; exit 0 ;;
  *desiredNumberScheduled*) cat "$S/desired"; exit 0 ;;
  *numberReady*) n=$(cat "$S/polls"); f="$S/ready.$((n-1))"; [ -f "$f" ] || f="$S/ready"; cat "$f"; exit 0 ;;
  *"logs "*) echo "db_downgrade_v4v3: open /var/lib/storageos/data/db: input/output error"; exit 0 ;;
esac
echo "fake cli: unexpected call: $args" >&2
exit 99
`;

interface Scenario {
  files: Record<string, string>;
  script?: (s: string) => string;
}

function run(script: string, scenario: Scenario): { status: number | null; out: string; calls: string[]; state: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ondat-export-'));
  const bin = path.join(dir, 'bin');
  const state = path.join(dir, 'state');
  fs.mkdirSync(bin);
  fs.mkdirSync(state);
  fs.writeFileSync(path.join(bin, 'kubectl'), FAKE_CLI, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'oc'), FAKE_CLI, { mode: 0o755 });
  for (const [name, text] of Object.entries(scenario.files)) fs.writeFileSync(path.join(state, name), text);
  const file = path.join(dir, 'downgrade.sh');
  fs.writeFileSync(file, (scenario.script ?? ((s) => s))(script).replace('POLL_SECONDS=5', 'POLL_SECONDS=0'), { mode: 0o755 });
  const r = spawnSync('bash', [file], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_STATE: state }, encoding: 'utf8', timeout: 20_000 });
  const calls = fs.existsSync(path.join(state, 'calls')) ? fs.readFileSync(path.join(state, 'calls'), 'utf8').trim().split('\n') : [];
  return { status: r.status, out: `${r.stdout}${r.stderr}`, calls, state };
}

const READY_PODS = ['p-1|uid-p-1|node-1|Completed|||true', 'p-2|uid-p-2|node-2|Completed|||true', 'p-3|uid-p-3|node-3|Completed|||true'].join('\n');

describe('Ondat downgrade "Export as script"', () => {
  const rendered = renderTemplate(DEFAULT_TEMPLATE, { namespace: 'ondat-tools', serviceAccount: 'downgrader' });
  const script = exportScript(rendered, { context: 'prod-eu' });

  it('is valid bash', () => {
    const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('is shellcheck-clean (when shellcheck is installed)', function () {
    const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
    if (probe.error) this.skip();
    const r = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: script, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout);
  });

  it('creates the DaemonSet with the rendered manifest, names the context and namespace on every call, and deletes it when every node is done', () => {
    const r = run(script, { files: { pods: READY_PODS, desired: '3', ready: '3' } });
    assert.equal(r.status, 0, r.out);
    assert.ok(r.calls.every((c) => c.startsWith('--context prod-eu --namespace ondat-tools ')), r.calls.join('\n'));
    assert.equal(fs.readFileSync(path.join(r.state, 'manifest'), 'utf8'), rendered.manifest);
    assert.match(r.calls[r.calls.length - 1]!, /delete daemonset storageos-downgrade-database/);
    assert.match(r.out, /node node-2: done \(pod p-2\)/);
    assert.match(r.out, /ready 3\/3 nodes/);
  });

  it('adopts a DaemonSet left by an interrupted run of the same rendering instead of failing with AlreadyExists', () => {
    const r = run(script, { files: { ds: '', hash: rendered.hash, pods: READY_PODS, desired: '3', ready: '3' } });
    assert.equal(r.status, 0, r.out);
    assert.ok(!r.calls.some((c) => c.includes('create -f -')), 'nothing is created');
    assert.match(r.out, /adopting daemonset storageos-downgrade-database in ondat-tools/);
  });

  it('replaces a DaemonSet from another rendering', () => {
    const r = run(script, { files: { ds: '', hash: 'someotherhash', pods: READY_PODS, desired: '3', ready: '3' } });
    assert.equal(r.status, 0, r.out);
    const del = r.calls.findIndex((c) => c.includes('delete daemonset'));
    const create = r.calls.findIndex((c) => c.includes('create -f -'));
    assert.ok(del >= 0 && create > del, r.calls.join('\n'));
  });

  it('stops on an init container in CrashLoopBackOff, naming the pod and node and showing its log', () => {
    const pods = ['p-1|uid-p-1|node-1|Completed|||true', 'p-2|uid-p-2|node-2|CrashLoopBackOff|1||false', 'p-3|uid-p-3|node-3|PodInitializing|||false'].join('\n');
    const r = run(script, { files: { pods, desired: '3', ready: '1' } });
    assert.equal(r.status, 1);
    assert.match(r.out, /FAILED: init container downgrade-database of pod p-2 on node node-2 is in CrashLoopBackOff \(last exit code 1\)/);
    assert.match(r.out, /input\/output error/);
    assert.ok(!r.calls.some((c) => c.includes('delete daemonset')), 'the DaemonSet stays for inspection and a re-run');
  });

  it('waits while nodes are still working and shows progress per node', () => {
    const r = run(script, {
      files: {
        'pods.0': ['p-1|uid-p-1|node-1|Completed|||true', 'p-2|uid-p-2|node-2||||false'].join('\n'),
        'ready.0': '1',
        pods: ['p-1|uid-p-1|node-1|Completed|||true', 'p-2|uid-p-2|node-2|Completed|||true'].join('\n'),
        desired: '2',
        ready: '2',
      },
    });
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /node node-2: starting \(pod p-2\)/);
    assert.match(r.out, /ready 1\/2 nodes[\s\S]*ready 2\/2 nodes/);
  });

  it('gives up at its deadline, saying how many nodes finished', () => {
    const r = run(script, {
      files: { pods: 'p-1|uid-p-1|node-1|Completed|||true\np-2|uid-p-2|node-2|Running|||false', desired: '2', ready: '1' },
      script: (s) => s.replace(/TIMEOUT_SECONDS=\d+/, 'TIMEOUT_SECONDS=0'),
    });
    assert.equal(r.status, 1);
    assert.match(r.out, /TIMEOUT: after 0 s only 1 of 2 nodes finished/);
  });

  it('stops at once when the DaemonSet controller creates no pod (FailedCreate), quoting the event', () => {
    const r = run(script, { files: { pods: '', desired: '3', ready: '0', created: 'Error creating: pods "storageos-downgrade-database-" is forbidden: exceeded quota: no-pods\n' } });
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /FAILED: the DaemonSet controller creates no downgrade pod \(FailedCreate\): Error creating: .*exceeded quota: no-pods/);
  });

  it('stops at once on FailedMount of a pod, naming the pod, its node and the event text', () => {
    const r = run(script, {
      files: {
        pods: ['p-1|uid-p-1|node-1|Completed|||true', 'p-2|uid-p-2|node-2|PodInitializing|||false'].join('\n'),
        'events.uid-p-2': 'FailedMount|MountVolume.SetUp failed for volume "storageos" : hostPath type check failed: /var/lib/storageos is not a directory\n',
        desired: '2',
        ready: '1',
      },
    });
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /FAILED: pod p-2 on node node-2: FailedMount: MountVolume\.SetUp failed .*is not a directory/);
  });

  it('stops at once when the main container cannot pull its image', () => {
    const r = run(script, { files: { pods: 'p-1|uid-p-1|node-1|Completed||ImagePullBackOff|false', desired: '1', ready: '0' } });
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /FAILED: container of pod p-1 on node node-1 is in ImagePullBackOff/);
  });

  it('keeps a template path with control characters inside its header comment', () => {
    const s = exportScript(rendered, { source: '/tmp/evil\nrm -rf ~ #\r\u001b[2Jx.yaml' });
    const header = s.split('\n').slice(0, 3).join('\n');
    assert.match(header, /^# Ondat 2\.7 -> 2\.6: node-local database downgrade, exported by Backout from \/tmp\/evil\?rm -rf ~ #\?\?\[2Jx\.yaml\.$/m);
    assert.ok(!/^rm -rf/m.test(s), 'no line of the script comes from the path');
    assert.equal(spawnSync('bash', ['-n'], { input: s }).status, 0);
  });

  it('uses oc when the template says so', () => {
    const oc = exportScript(renderTemplate(DEFAULT_TEMPLATE, { cliTool: 'oc' }));
    assert.match(oc, /^CLI_TOOL='oc'$/m);
    assert.match(oc, /^CONTEXT=''$/m);
  });
});
