// A redirecting route served beside the emulator, for the redirect case: `/redirect/<path>`
// answers 307 to `/followed/<path>` on the same server, and `/followed/` confirms any deletion
// with a token. A runtime that followed the redirect would get that token: the case fails.
// CORS headers as the emulator's, so Chromium's page may call it.
const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "DELETE, OPTIONS",
  "access-control-allow-headers": "Content-Type, X-Authorization",
};

/** `handle` (the emulator's fetch), with the two routes above in front of it. */
export function withRedirects(handle) {
  return async (request) => {
    const url = new URL(request.url);
    const route = url.pathname.match(/^\/(redirect|followed)\//)?.[1];
    if (!route) return handle(request);
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: CORS });
    if (route === "followed") return Response.json({ token: "followed" }, { headers: CORS });
    const location = new URL(url.pathname.replace(/^\/redirect/, "/followed"), url).href;
    return new Response(null, { status: 307, headers: { ...CORS, location } });
  };
}
