// The data path's byte copy lives in storage/copy.ts (one for every layer).
export { copyBytes } from '../storage/copy.js';
