import { describe, expect, it } from 'vitest';
import { startTestBackend } from '../support/server.js';

describe('health and readiness', () => {
  it('answers /readyz 503 once the database stops answering, while /healthz stays 200', async () => {
    const b = await startTestBackend({ startJobs: false });
    try {
      expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
      await b.services.store.close();
      const ready = await fetch(`${b.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable' });
      expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
    } finally {
      await b.stop().catch(() => undefined);
    }
  });
});
