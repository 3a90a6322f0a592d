// Preact with htm: components are plain functions returning html`…` (no build step).
import { h, render } from '../vendor/preact.js';
import htm from '../vendor/htm.js';

export { render };
export {
  useState,
  useEffect,
  useLayoutEffect,
  useRef,
  useMemo,
  useCallback,
  useId,
} from '../vendor/preact-hooks.js';
export const html = htm.bind(h);
