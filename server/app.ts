/**
 * Builds the Express app from ready-made services; opens no port and reads no environment
 * (`main.ts` does both). Routes are grouped by who calls them (product.md, HTTP routes).
 */
import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { createFastLane, relayLaneError, type LaneRoute } from './http/fast-lane.js';
import { createHealthRouter } from './routes/health.js';
import { createMetricsRouter } from './metrics/route.js';
import { AMOJO_WEBHOOK_PATH, amojoWebhookHandlers, amojoWebhookLane } from './routes/amojo-webhook.js';
import { createHomeRouter } from './routes/home.js';
import { createOAuthRouter } from './routes/oauth.js';
import { createStatusAnswer, createWidgetGuard, createWidgetRouter, type WidgetSection } from './routes/widget.js';
import { createWidgetSettingsRouter } from './routes/widget-settings.js';
import { createWidgetVisitorDataRouter } from './routes/widget-visitor-data.js';
import { bubbleSettingsRules } from './platforms/webchat/bubble-settings.js';
import { createEmbedRouter } from './platforms/webchat/embed-route.js';
import { createSandboxPageRouter } from './sandbox/page/index.js';
import { distDir, SERVER_FILES_DIR } from './runtime/paths.js';
import type { Services } from './services.js';

/**
 * What the HTTP server runs: the hook routes' fast lane (server/http/fast-lane.ts), and behind it
 * the Express app for everything else.
 */
export function createRequestListener(services: Services): RequestListener {
  const routes: LaneRoute[] = [amojoWebhookLane(services.webhookIntake)];
  if (services.telegram) routes.push(services.telegram.webhookLane);
  return createFastLane(routes, createApp(services));
}

export function createApp(services: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  // The client address is the socket's unless TRUST_PROXY names the proxies whose X-Forwarded-For we believe.
  app.set('trust proxy', services.config.trustProxy);

  // A hook the fast lane took and failed reaches the error handler from here.
  app.use(relayLaneError);
  // The fast lane serves nearly every hook; here are the ones it leaves to Express (odd spellings of
  // the path, compressed, unsized or oversize bodies). Still first, so no other layer sees them.
  app.post(AMOJO_WEBHOOK_PATH, ...amojoWebhookHandlers(services.webhookIntake));
  // Second: the visitor API carries every website-chat message. Mounted on its prefix, it is
  // entered only by its own paths, and its requests skip every router below.
  app.use('/webchat/v1', services.webchat.apiRouter);
  app.use(createHealthRouter({ ping: () => services.store.ping() }));
  app.use(createMetricsRouter({ metrics: services.metrics, token: services.config.metricsToken }));
  app.use(createOAuthRouter(services));
  const { telegram } = services;
  if (telegram) app.use(telegram.webhookRouter);
  // The status answer carries `telegram` always: null while the Telegram platform is off.
  const sections: WidgetSection[] = [{ field: 'telegram', status: async (accountId) => (telegram ? telegram.widgetStatus(accountId) : null) }];
  app.use(createWidgetRouter({ ...services, sections }));
  if (telegram) app.use(telegram.widgetRouter(createWidgetGuard(services), createStatusAnswer({ ...services, sections })));
  const telegramChannel = services.config.telegram?.channel;
  app.use(
    createWidgetSettingsRouter({
      ...services,
      bubble: bubbleSettingsRules,
      onSaved: (id) => services.settingsChanged(id),
      channels: [
        { kind: 'webchat', code: services.config.channel.code, title: services.config.channel.title },
        ...(telegramChannel ? [{ kind: 'telegram' as const, code: telegramChannel.code, title: telegramChannel.title }] : []),
      ],
    }),
  );
  app.use(createWidgetVisitorDataRouter(services));
  app.use(services.webchat.filesRouter);
  app.use(createEmbedRouter({ logger: services.logger, distDir: distDir() }));

  if (services.sandbox) {
    app.use('/sandbox/amojo', services.sandbox.amojo.router);
    app.use('/sandbox/amocrm', services.sandbox.amocrm.router);
    app.use('/sandbox/telegram', services.sandbox.telegram.emulator.router);
    app.use(createSandboxPageRouter(services, { distDir: distDir(), serverFilesDir: SERVER_FILES_DIR }));
  }

  app.use(createHomeRouter(services));
  app.use(notFoundHandler);
  app.use(errorHandler(services.logger));
  return app;
}
