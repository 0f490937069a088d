// The library path the CLI is built on, without the CLI: the Node adapter's readIds(file)
// streamed into the core's deleteUsers. Its peak RSS is measured by the parent, like the CLI's.
//   node stream-child.mjs '{"file":"ids.txt","baseUrl":"…","apiKey":"…","restApiKey":"…"}'
import { createClient, readIds } from "@batch-custom-data/node";

const { file, baseUrl, apiKey, restApiKey } = JSON.parse(process.argv[2]);
const client = createClient({ apiKey, restApiKey, baseUrl });
const report = await client.deleteUsers(readIds(file, { format: "lines" }));
console.log(JSON.stringify({ ids: report.confirmed, calls: report.calls }));
