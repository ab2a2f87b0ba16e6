/** Liveness and readiness for load balancers. */
import { Router } from 'express';

export function createHealthRouter(deps: { ping: () => Promise<boolean> }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const ok = await deps.ping();
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable' });
  });
  return router;
}
