import type { ComponentType, FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading } from './ui';

/**
 * A screen whose code is fetched when it is first shown (a dynamic import, its own chunk), so the first load
 * of the board or the task list carries only what they need (bench:web, README "Workspace"). The module is
 * fetched once; until it arrives the screen shows 正在加载…. `load` resolves with the component.
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): FunctionComponent<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  return function LazyScreen(props: P) {
    const [Screen, setScreen] = useState<ComponentType<P> | undefined>(() => loaded);
    useEffect(() => {
      if (Screen) return;
      let live = true;
      pending ??= load().then((c) => (loaded = c));
      void pending.then((c) => live && setScreen(() => c));
      return () => {
        live = false;
      };
    }, [Screen]);
    return Screen ? <Screen {...props} /> : <Loading />;
  };
}
