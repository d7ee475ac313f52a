/** The emulator's entry for the demo and dev tools: start it, and the demo key its seed creates. */
export { startEmulator, type Emulator, type EmulatorOptions } from './server.js';
export { DEMO_API_KEY } from './seed.js';
