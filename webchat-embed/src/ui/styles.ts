/**
 * The bubble's stylesheet, inside its shadow root: page styles cannot reach these elements and these rules
 * cannot reach the page. Colours are custom properties so dark mode (prefers-color-scheme) swaps one set.
 * Every text colour meets WCAG AA (4.5:1) on its background: `--accent` is a background under white text
 * in both schemes, `--accent-text` the accent as text on the panel. On phones every control is at least
 * 44 px and text fields use 16 px (smaller makes iOS zoom in on focus). No text is faded with `opacity`: it
 * takes the contrast below AA (axe checks every state in the browser tests).
 */
export const STYLES = `
.awc{all:initial;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--fg);
  --accent:#2563eb;--accent-fg:#fff;--accent-text:#2563eb;--bg:#fff;--fg:#1f2328;--muted:#5f6670;--line:#e3e6ea;--in:#f1f3f5;--in-fg:#1f2328;
  --focus:#1d4ed8;--danger:#b42318;--shadow:0 12px 40px rgba(0,0,0,.22)}
@media (prefers-color-scheme:dark){.awc{--accent-text:#93c5fd;--bg:#1c1d21;--fg:#ececee;--muted:#a3a7ae;--line:#34363c;
  --in:#2a2c31;--in-fg:#ececee;--focus:#93c5fd;--danger:#f97066;--shadow:0 12px 40px rgba(0,0,0,.6)}}
.awc *,.awc *::before,.awc *::after{box-sizing:border-box}
[hidden]{display:none!important}
.sr-only{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
button{font:inherit;color:inherit;background:none;border:0;margin:0;padding:0;cursor:pointer;border-radius:8px}
button:focus-visible,textarea:focus-visible,input:focus-visible,a:focus-visible,summary:focus-visible,.messages:focus-visible{outline:2px solid var(--focus);outline-offset:2px}
.icon{width:20px;height:20px;fill:currentColor;display:block}
.launcher{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;background:var(--accent);color:var(--accent-fg);
  display:flex;align-items:center;justify-content:center;box-shadow:var(--shadow);z-index:1}
.launcher .icon{width:28px;height:28px}
.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:var(--danger);
  color:#fff;font-size:12px;font-weight:600;line-height:22px;text-align:center}
.panel{position:fixed;right:20px;bottom:92px;width:380px;height:min(620px,calc(100vh - 112px));display:flex;flex-direction:column;
  background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:16px;box-shadow:var(--shadow);overflow:hidden;z-index:2}
@media (max-width:480px){.panel{inset:0;width:auto;height:auto;max-height:none;border-radius:0;border:0}
  .awc[data-open] .launcher{display:none}}
header{display:flex;align-items:center;gap:8px;padding:14px 12px 14px 16px;background:var(--accent);color:var(--accent-fg)}
header .titles{flex:1;min-width:0}
h2{font-size:16px;font-weight:600;margin:0}
header p{margin:2px 0 0;font-size:12px}
.icon-btn{width:36px;height:36px;display:flex;align-items:center;justify-content:center;flex:none}
.icon-btn:hover{background:rgba(127,127,127,.16)}
.notice{padding:6px 16px;font-size:12px;background:#fff4e5;color:#7a4100}
@media (prefers-color-scheme:dark){.notice{background:#3a2a12;color:#fcd9a8}}
.profile{border-bottom:1px solid var(--line);font-size:13px}
.profile summary{padding:8px 16px;cursor:pointer;color:var(--accent-text)}
.done{margin:0;padding:0 16px;font-size:13px}
.done:not(:empty){padding:8px 16px;border-bottom:1px solid var(--line)}
.profile form{display:grid;gap:6px;padding:0 16px 10px}
.profile label{display:grid;gap:2px;color:var(--muted)}
input,textarea{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:7px 9px;margin:0;width:100%}
.btn{background:var(--accent);color:var(--accent-fg);padding:7px 12px;justify-self:start}
.messages{flex:1;overflow-y:auto;margin:0;padding:12px;list-style:none;display:flex;flex-direction:column;gap:8px;overscroll-behavior:contain}
.greeting{align-self:center;text-align:center;color:var(--muted);font-size:13px;padding:8px 16px}
.msg{display:flex;flex-direction:column;align-items:flex-start;max-width:85%;position:relative}
.msg.own{align-self:flex-end;align-items:flex-end}
.msg.flash .bubble{outline:2px solid var(--accent)}
.bubble{background:var(--in);color:var(--in-fg);padding:8px 10px;border-radius:14px 14px 14px 4px;overflow-wrap:anywhere;max-width:100%}
.own .bubble{background:var(--accent);color:var(--accent-fg);border-radius:14px 14px 4px 14px}
.author{display:block;font-size:12px;font-weight:600;margin-bottom:2px}
.text{margin:0;white-space:pre-wrap}
.quote{display:block;width:100%;text-align:left;margin:0 0 6px;padding:4px 8px;border-left:3px solid currentColor;border-radius:4px;
  background:rgba(127,127,127,.15);font-size:12px}
.quote b{display:block}
.quote span{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
.picture{display:block;max-width:240px;max-height:240px;border-radius:10px;margin-bottom:4px}
.picture img{display:block;max-width:100%;max-height:240px;border-radius:10px}
audio,video{display:block;max-width:240px;margin-bottom:4px}
.file{display:flex;align-items:center;gap:8px;color:inherit;text-decoration:none;margin-bottom:4px}
.file small{display:block}
.meta{display:flex;justify-content:flex-end;gap:6px;font-size:11px;margin-top:2px}
.ticks[data-state=read]{color:#bae6fd}
.ticks[data-state=failed]{background:#fff;color:#b42318;font-weight:700;border-radius:50%;min-width:15px;text-align:center;opacity:1}
.failed .meta{opacity:1}
.error{margin:2px 0 0;font-size:12px;color:var(--danger)}
.error button{text-decoration:underline;margin-left:4px}
.reactions{display:flex;gap:4px;margin-top:2px}
.reactions>*{font-size:13px;background:var(--bg);border:1px solid var(--line);border-radius:10px;padding:0 6px;line-height:20px}
.reactions [aria-pressed=true]{border-color:var(--accent)}
.actions{position:absolute;top:0;left:100%;display:flex;gap:2px;padding:0 2px;opacity:0;transition:opacity .15s}
.own .actions{left:auto;right:100%;flex-direction:row-reverse}
.msg:hover .actions,.msg:focus-within .actions{opacity:1}
@media (hover:none){.actions{opacity:.8}}
.actions .icon-btn{width:28px;height:28px;color:var(--muted)}
.actions .icon{width:16px;height:16px}
.picker{display:flex;gap:2px;padding:4px;background:var(--bg);border:1px solid var(--line);border-radius:18px;box-shadow:var(--shadow)}
.picker button{width:30px;height:30px;font-size:18px}
.quick{display:flex;flex-direction:column;gap:4px;margin-top:4px;width:100%}
.quick div{display:flex;gap:4px;flex-wrap:wrap}
.quick button,.quick a{flex:1;border:1px solid var(--accent-text);color:var(--accent-text);background:var(--bg);padding:6px 10px;border-radius:10px;
  text-align:center;text-decoration:none;font-size:13px}
.typing{padding:0 16px 4px;font-size:12px;color:var(--muted);min-height:4px}
.composer{border-top:1px solid var(--line);padding:8px}
.context{display:flex;align-items:center;gap:8px;font-size:12px;padding:4px 8px;margin-bottom:6px;border-left:3px solid var(--accent);background:var(--in);border-radius:4px}
.context span{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.row{display:flex;align-items:flex-end;gap:4px}
.row textarea{flex:1;resize:none;max-height:120px;min-height:38px}
.quick button:disabled{opacity:.55;cursor:default}
.send{color:var(--accent-text)}
:disabled{cursor:default}
.recording{display:flex;align-items:center;gap:8px;font-size:13px;padding:6px 4px}
.recording .dot{width:10px;height:10px;border-radius:50%;background:var(--danger)}
.recording span{flex:1}
.drop{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;text-align:center;padding:24px;
  background:rgba(37,99,235,.12);border:2px dashed var(--accent-text);border-radius:16px;color:var(--accent-text);font-weight:600;pointer-events:none}
@media (max-width:480px){input,textarea{font-size:16px}
  .icon-btn,.actions .icon-btn,.picker button{width:44px;height:44px}
  button,summary,.quick a{min-height:44px;min-width:44px}
  .profile summary{display:flex;align-items:center}
  .actions{position:static;opacity:1}}
.awc[data-left] .launcher{right:auto;left:20px}
@media (min-width:481px){.awc[data-left] .panel{right:auto;left:20px}}
.consent{display:flex;gap:8px;align-items:flex-start;padding:8px 12px 0;font-size:12px;color:var(--muted)}
.consent input{width:auto;margin:2px 0 0;flex:none}
.consent a{color:var(--accent-text)}
.greeting[data-away]{color:var(--fg)}
`;
