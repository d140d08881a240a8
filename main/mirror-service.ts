// The mirror service lives in app/service (the browser bridge runs the same one); main keeps this
// path for its own modules and tests.
export * from '../app/service/mirror-service.js';
