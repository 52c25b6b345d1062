// The Disposable base every UI class extends: what a class registers is disposed with it, in the right order, once.
import * as assert from 'assert';
import { Disposable, DisposableGroup } from '../../../src/ui/disposable';

class Owner extends Disposable {
  constructor(private readonly log: string[]) {
    super();
  }
  own(name: string): void {
    this.register({ dispose: () => this.log.push(name) });
  }
  wasDisposed(): boolean {
    return this.disposed;
  }
}

describe('Disposable: registered parts are disposed with their owner', () => {
  it('disposes what was registered, last registered first', () => {
    const log: string[] = [];
    const owner = new Owner(log);
    owner.own('panel');
    owner.own('listener');
    owner.own('timer');
    owner.dispose();
    assert.deepStrictEqual(log, ['timer', 'listener', 'panel']);
    assert.strictEqual(owner.wasDisposed(), true);
  });

  it('disposes each part once, however often dispose() is called (a panel disposes its owner when it closes)', () => {
    const log: string[] = [];
    const owner = new Owner(log);
    owner.own('listener');
    owner.dispose();
    owner.dispose();
    assert.deepStrictEqual(log, ['listener']);
  });

  it('disposes at once what a late callback registers after its owner was disposed', () => {
    const log: string[] = [];
    const owner = new Owner(log);
    owner.dispose();
    owner.own('watcher made by a read that finished late');
    assert.deepStrictEqual(log, ['watcher made by a read that finished late']);
  });
});

describe('DisposableGroup: parts replaced as a whole', () => {
  it('disposes the previous parts when replaced, and the current ones when disposed', () => {
    const log: string[] = [];
    const group = new DisposableGroup();
    group.replace([{ dispose: () => log.push('a') }, { dispose: () => log.push('b') }]);
    group.replace([{ dispose: () => log.push('c') }]);
    assert.deepStrictEqual(log, ['a', 'b']);
    group.dispose();
    assert.deepStrictEqual(log, ['a', 'b', 'c']);
    group.dispose();
    assert.deepStrictEqual(log, ['a', 'b', 'c']);
  });
});
