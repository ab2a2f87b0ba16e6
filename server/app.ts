/**
 * Builds the Express app from ready-made services; opens no port and reads no environment
 * (`main.ts` does both). Routes are grouped by who calls them (product.md, HTTP routes).
 */
import express, { type Express } from 'express';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { createHealthRouter } from './routes/health.js';
import { createAmojoWebhookRouter } from './routes/amojo-webhook.js';
import { createHomeRouter } from './routes/home.js';
import { createOAuthRouter } from './routes/oauth.js';
import { createWidgetRouter } from './routes/widget.js';
import type { Services } from './services.js';

export function createApp(services: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);

  app.use(createHealthRouter({ ping: () => services.store.ping() }));
  app.use(createAmojoWebhookRouter(services.webhookIntake));
  app.use(createOAuthRouter(services));
  app.use(createWidgetRouter(services));

  if (services.sandbox) {
    app.use('/sandbox/amojo', services.sandbox.amojo.router);
    app.use('/sandbox/amocrm', services.sandbox.amocrm.router);
  }

  app.use(createHomeRouter(services));
  app.use(notFoundHandler);
  app.use(errorHandler(services.logger));
  return app;
}
