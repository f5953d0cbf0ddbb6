// The drawing surface of ui/drawing.py: points on the plane, put there with a mouse, a finger or a pen.
//
// Python mounts it with `data` = {points: [i, j, class, ...] (grid indices, vizcore/drawn.py), seq, session,
// cls, tool, grid, plane, max, colors, size}. A tap or click adds one point of class `cls` where it lands; a
// drag sprays points along its path; with tool "erase" the points under the eraser go. Nothing is sent while
// the pointer moves: when a stroke ends, setTriggerValue("stroke", {points, seq}) hands the whole drawing to
// Python. Streamlit runs this function again whenever `data` changes, without running the cleanup it returned
// before (that runs only when the component goes): so the listeners are attached once per canvas, and they read
// the newest `data` and the points being drawn from the canvas's state in STATES.

const STATES = new WeakMap();
const SPRAY = 3;          // points per spray step
const SPACING = 0.022;    // spray steps along a drag, in widths of the plane
const SPRAY_RADIUS = 0.04;
const ERASER_RADIUS = 0.045;

export default function ({ data, parentElement, setTriggerValue }) {
  const root = parentElement.querySelector(".vz-draw");
  const canvas = root.querySelector(".vz-plane");
  let S = STATES.get(canvas);
  if (!S || S.session !== data.session) {
    if (S) S.detach();
    S = surface(canvas, root.querySelector(".vz-note"), data.session);
    STATES.set(canvas, S);
  }
  S.data = data;
  S.send = setTriggerValue;
  // Python's points are the drawing once it has seen every stroke sent from here (its seq has caught up);
  // until then, and during a stroke, the points drawn here stay.
  if (!S.stroke && data.seq >= S.sent) {
    S.points = [];
    for (let k = 0; k + 2 < data.points.length; k += 3) S.points.push([data.points[k], data.points[k + 1], data.points[k + 2]]);
    S.sent = data.seq;
    S.full = false;
  }
  root.style.setProperty("--vz-size", `${data.size}px`);
  S.render();
  return () => { S.detach(); STATES.delete(canvas); };
}

function surface(canvas, note, session) {
  const S = { session, data: null, send: null, points: [], sent: -1, stroke: null, hover: null, full: false };
  const ctx = canvas.getContext("2d");
  let frame = 0;

  const width = () => canvas.clientWidth || 1;
  const G = () => S.data.grid;
  // grid index i sits at x = i·W/G from the left; j at y = (G − j)·W/G from the top (vizcore/drawn.py's nodes)
  const toPx = (i, j, W) => [(i * W) / G(), ((G() - j) * W) / G()];
  function toGrid(x, y) {
    const W = width();
    if (!(x >= 0 && y >= 0 && x <= W && y <= W)) return null; // off the plane: not a point
    return [Math.min(G() - 1, Math.round((x * G()) / W)), Math.min(G() - 1, Math.round(G() - (y * G()) / W))];
  }
  function at(e) {
    const box = canvas.getBoundingClientRect();
    return [e.clientX - box.left, e.clientY - box.top];
  }

  S.render = function render() {
    frame = 0;
    const data = S.data, W = width(), dpr = window.devicePixelRatio || 1, side = Math.round(W * dpr);
    if (canvas.width !== side) canvas.width = canvas.height = side;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, W);
    const unit = W / (2 * data.plane); // pixels per unit of the plane
    ctx.lineWidth = 1;
    for (let v = -Math.floor(data.plane * 2) / 2; v <= data.plane; v += 0.5) {
      const p = (v + data.plane) * unit;
      ctx.strokeStyle = v === 0 ? "rgba(60, 70, 90, 0.55)" : "rgba(90, 100, 120, 0.16)";
      ctx.beginPath(); ctx.moveTo(p, 0); ctx.lineTo(p, W); ctx.moveTo(0, W - p); ctx.lineTo(W, W - p); ctx.stroke();
    }
    ctx.fillStyle = "rgba(60, 70, 90, 0.75)";
    ctx.font = `${Math.max(11, Math.round(W / 38))}px sans-serif`;
    for (const v of [-1, 1]) {
      const p = (v + data.plane) * unit;
      ctx.fillText(String(v), p + 3, data.plane * unit - 4);
      ctx.fillText(String(v), data.plane * unit + 4, W - p - 3);
    }
    const r = Math.max(3, Math.min(6, W / 100));
    ctx.strokeStyle = "#ffffff";
    for (const [i, j, c] of S.points) {
      const [x, y] = toPx(i, j, W);
      ctx.fillStyle = data.colors[c];
      ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    }
    if (data.tool === "erase" && S.hover) {
      ctx.strokeStyle = "rgba(30, 35, 48, 0.8)";
      ctx.setLineDash([4, 3]);
      ctx.beginPath(); ctx.arc(S.hover[0], S.hover[1], ERASER_RADIUS * W, 0, 2 * Math.PI); ctx.stroke();
      ctx.setLineDash([]);
    }
    note.hidden = !S.full;
    note.textContent = S.full ? `At most ${data.max.toLocaleString("en")} points: erase some to add more.` : "";
  };
  const redraw = () => { if (!frame) frame = requestAnimationFrame(S.render); };

  function add(x, y) {
    const ij = toGrid(x, y);
    if (!ij) return;
    if (S.points.length >= S.data.max) { S.full = true; return; }
    S.points.push([ij[0], ij[1], S.data.cls]);
    S.stroke.changed = true;
  }
  function spray(x, y) {
    const R = SPRAY_RADIUS * width();
    for (let k = 0; k < SPRAY; k++) {
      const a = 2 * Math.PI * Math.random(), d = R * Math.sqrt(Math.random());
      add(x + d * Math.cos(a), y + d * Math.sin(a));
    }
  }
  function erase(a, b) { // every point within the eraser's radius of the segment a-b
    const W = width(), R = ERASER_RADIUS * W, dx = b[0] - a[0], dy = b[1] - a[1], len2 = dx * dx + dy * dy;
    const before = S.points.length;
    S.points = S.points.filter(([i, j]) => {
      const [x, y] = toPx(i, j, W);
      const t = len2 ? Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / len2)) : 0;
      const ex = x - a[0] - t * dx, ey = y - a[1] - t * dy;
      return ex * ex + ey * ey > R * R;
    });
    if (S.points.length !== before) { S.stroke.changed = true; S.full = false; }
  }
  function follow(p) {
    const s = S.stroke;
    if (s.tool === "erase") { erase(s.last, p); s.last = p; return; }
    const step = SPACING * width();
    let d = Math.hypot(p[0] - s.last[0], p[1] - s.last[1]);
    while (d >= step) { // evenly along the path, however fast the pointer moved
      const t = step / d;
      s.last = [s.last[0] + t * (p[0] - s.last[0]), s.last[1] + t * (p[1] - s.last[1])];
      spray(s.last[0], s.last[1]);
      d -= step;
    }
  }

  function down(e) {
    if (e.button > 0 || S.stroke) return; // the main button; a second finger while one draws is ignored
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    const p = at(e);
    S.stroke = { id: e.pointerId, changed: false, last: p, tool: S.data.tool };
    S.hover = p;
    if (S.stroke.tool === "erase") erase(p, p); else add(p[0], p[1]);
    redraw();
  }
  function move(e) {
    S.hover = at(e);
    if (S.stroke && e.pointerId === S.stroke.id) {
      e.preventDefault();
      const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
      for (const q of events.length ? events : [e]) follow(at(q));
    }
    redraw();
  }
  function up(e) {
    if (!S.stroke || e.pointerId !== S.stroke.id) return;
    const changed = S.stroke.changed;
    S.stroke = null;
    if (e.pointerType !== "mouse") S.hover = null;
    if (changed) {
      S.sent += 1;
      S.send("stroke", { points: S.points.flat(), seq: S.sent });
    }
    redraw();
  }
  function leave() { if (!S.stroke) { S.hover = null; redraw(); } }
  const noMenu = (e) => e.preventDefault(); // a long press draws, it does not open a menu

  const listeners = [["pointerdown", down], ["pointermove", move], ["pointerup", up], ["pointercancel", up],
                     ["pointerleave", leave], ["contextmenu", noMenu]];
  for (const [name, fn] of listeners) canvas.addEventListener(name, fn);
  const resized = new ResizeObserver(redraw);
  resized.observe(canvas);
  S.detach = () => {
    for (const [name, fn] of listeners) canvas.removeEventListener(name, fn);
    resized.disconnect();
    if (frame) cancelAnimationFrame(frame);
  };
  return S;
}
