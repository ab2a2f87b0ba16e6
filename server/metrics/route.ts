/** `GET /metrics`: the Prometheus text format, behind the access rule of `access.ts`. */
import { Router } from 'express';
import { AuthError, ForbiddenError } from '../errors.js';
import { metricsAccess } from './access.js';
import type { Metrics } from './index.js';

export interface MetricsRouteOptions {
  metrics: Metrics;
  /** METRICS_TOKEN; undefined = loopback clients only. */
  token: string | undefined;
}

export function createMetricsRouter(opts: MetricsRouteOptions): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    const access = metricsAccess(opts.token, { authorization: req.get('authorization'), remoteAddress: req.socket.remoteAddress });
    if (access === 'unauthorized') {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new AuthError('GET /metrics needs the header Authorization: Bearer <METRICS_TOKEN>.');
    }
    if (access === 'forbidden') throw new ForbiddenError('GET /metrics answers loopback clients only while METRICS_TOKEN is not set.');
    const text = await opts.metrics.render();
    res.setHeader('Content-Type', opts.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(text);
  });
  return router;
}
