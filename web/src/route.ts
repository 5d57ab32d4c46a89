import { useEffect, useState } from 'react';

type Guard = () => boolean; // true: may leave
let guard: Guard | null = null;

/** Sets what must agree before the console leaves the current page. */
export function setLeaveGuard(g: Guard | null) {
  guard = g;
}

/** The address's fragment, which names the page (#/applications/…). */
export function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    let last = location.hash;
    const on = () => {
      if (location.hash !== last && guard && !guard()) {
        history.replaceState(null, '', last); // stay
        return;
      }
      last = location.hash;
      setHash(location.hash);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

/** Goes to another page of the console. */
export function navigate(hash: string) {
  location.hash = hash;
}
