// @ts-check
/**
 * The demo website reloads itself when the channel is connected, disconnected or reconnected in the
 * widget pane, so the chat snippet on it always carries the current site key.
 */
(() => {
  const config = JSON.parse(document.getElementById('demo-config')?.textContent ?? '{}');
  const check = async () => {
    try {
      const s = await fetch(String(config.stateUrl), { cache: 'no-store' }).then((r) => r.json());
      if ((s.site_key ?? null) !== (config.siteKey ?? null)) location.reload();
    } catch {
      // The server is restarting; try again on the next round.
    }
  };
  setInterval(check, 2000);
})();
