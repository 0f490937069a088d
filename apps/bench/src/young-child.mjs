// How large V8's young generation grew: allocates short-lived objects (a few kept alive at a
// time, as ids in flight are) and prints the new space's size in MiB. With an argument, first
// calls v8.setFlagsFromString(argument), which is how a program would set a flag on itself.
//   node young-child.mjs [--max-semi-space-size=1]
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";

if (process.argv[2]) setFlagsFromString(process.argv[2]);
let live = [];
for (let i = 0; i < 3_000_000; i++) {
  live.push({ id: `user-${i}` });
  if (live.length === 40_000) live = [];
}
const space = getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
console.log(JSON.stringify({ newSpaceMb: space.space_size / 1048576 }));
