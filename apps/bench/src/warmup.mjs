// The same untimed first call in every Node client on loopback, through the transport it is
// measured on: it loads that transport (undici, or node:http) and opens one connection, so no
// client is charged for that. The WAN runs skip it: there a run starts cold, as a script does.
export async function warmUp(send, baseUrl, apiKey, restApiKey) {
  const response = await send(`${baseUrl}/${apiKey}/data/users/warm-up`, {
    method: "DELETE",
    headers: { "Content-Type": "application/json", "X-Authorization": restApiKey },
  });
  const body = await response.json();
  if (!response.ok || typeof body.token !== "string") {
    throw new Error(`warm-up call failed: HTTP ${response.status} ${JSON.stringify(body)}`);
  }
}
