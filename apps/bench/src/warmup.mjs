// The same untimed first call in every Node client: it loads Node's fetch (undici) and opens
// one keep-alive connection, so neither the SDK nor the raw loop is charged for that.
export async function warmUp(baseUrl, apiKey, restApiKey) {
  const response = await fetch(`${baseUrl}/${apiKey}/data/users/warm-up`, {
    method: "DELETE",
    headers: { "Content-Type": "application/json", "X-Authorization": restApiKey },
  });
  const body = await response.json();
  if (!response.ok || typeof body.token !== "string") {
    throw new Error(`warm-up call failed: HTTP ${response.status} ${JSON.stringify(body)}`);
  }
}
