// Entry point of the window: connect to the engine (preload bridge or web server), then mount the app.
import { mount } from 'svelte';
import App from './App.svelte';
import Unconnected from './components/Unconnected.svelte';
import { connect, errorMessage } from './lib/api.js';
import { app } from './lib/state.svelte.js';
import './app.css';

const target = document.getElementById('app')!;
try {
  await connect();
  await app.init();
  mount(App, { target });
} catch (err) {
  mount(Unconnected, { target, props: { message: errorMessage(err) } });
}
