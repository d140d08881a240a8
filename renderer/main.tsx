// The renderer's entry: the API from the preload (window.drpc) in the app, or from the browser bridge
// in tests and development, then the UI.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { pickApi } from './api/bridge.js';
import { ApiProvider } from './api/context.js';
import { ModelProvider } from './api/model.js';
import { App } from './App.js';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ApiProvider api={pickApi(window)}>
        <ModelProvider>
          <App />
        </ModelProvider>
      </ApiProvider>
    </StrictMode>,
  );
}
