// Generates sdk_slots.json: the slots that the official OneEntry JS SDK computes
// client-side for a form's timeInterval attribute, for a set of schedules.
//
// Run from the repository root with the SDK installed anywhere (npm i oneentry@1.0.149):
//
//   TZ=UTC node schedule/testdata/sdk_slots.js /path/to/node_modules/oneentry > schedule/testdata/sdk_slots.json
//
// TZ=UTC matters: the SDK's weekly-only branch reads the process's local calendar.
'use strict';

const fs = require('fs');
const path = require('path');

const sdkDir = process.argv[2];
if (!sdkDir) {
  console.error('usage: TZ=UTC node sdk_slots.js <path to node_modules/oneentry>');
  process.exit(2);
}
const SyncModules = require(path.join(sdkDir, 'dist/base/syncModules.js')).default;
const version = require(path.join(sdkDir, 'package.json')).version;

// The slot methods touch no instance state, so a bare prototype object is enough.
const sdk = Object.create(SyncModules.prototype);

const form = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../fixtures/recorded/form-tickets_form.json'), 'utf8'),
);
const seed = form.attributes.find((a) => a.type === 'timeInterval').localizeInfos.intervals;

const item = (range, intervals, inEveryWeek, inEveryMonth) => ({
  id: 'case',
  range,
  external: [],
  intervals: intervals.map(([sh, sm, eh, em, period], i) => ({
    id: `iv${i}`,
    start: { hours: sh, minutes: sm },
    end: { hours: eh, minutes: em },
    period,
  })),
  inEveryWeek,
  inEveryMonth,
});

const cases = [
  { name: 'seed', items: seed },
  { name: 'weekly from midnight', items: [item(['2025-04-03T00:00:00.000Z', '2025-04-03T00:00:00.000Z'], [[10, 0, 12, 0, 60]], true, false)] },
  { name: 'weekly late start reaching month end', items: [item(['2025-04-02T21:00:00.000Z', '2025-04-02T21:00:00.000Z'], [[10, 0, 11, 0, 60]], true, false)] },
  { name: 'monthly on the 31st', items: [item(['2025-01-31T00:00:00.000Z', '2025-01-31T00:00:00.000Z'], [[9, 0, 10, 0, 60]], false, true)] },
  { name: 'monthly on the 15th', items: [item(['2025-11-15T08:00:00.000Z', '2025-11-15T08:00:00.000Z'], [[9, 0, 10, 30, 45]], false, true)] },
  { name: 'weekly and monthly from the 31st', items: [item(['2025-01-31T00:00:00.000Z', '2025-01-31T00:00:00.000Z'], [[9, 0, 10, 0, 60]], true, true)] },
  { name: 'neither', items: [item(['2025-04-26T00:00:00.000Z', '2025-04-28T00:00:00.000Z'], [[9, 0, 12, 0, 60]], false, false)] },
  { name: 'multi-day range weekly', items: [item(['2025-06-02T00:00:00.000Z', '2025-06-04T00:00:00.000Z'], [[9, 0, 10, 0, 60]], true, false)] },
  { name: 'range end before start time of day', items: [item(['2025-06-02T12:00:00.000Z', '2025-06-04T06:00:00.000Z'], [[9, 0, 10, 0, 60]], true, false)] },
  { name: 'period not dividing', items: [item(['2025-05-05T00:00:00.000Z', '2025-05-05T00:00:00.000Z'], [[9, 0, 12, 0, 50]], true, false)] },
  { name: 'several intervals and overlapping items', items: [
    item(['2025-05-05T00:00:00.000Z', '2025-05-05T00:00:00.000Z'], [[9, 0, 10, 0, 30], [14, 15, 16, 0, 35]], true, false),
    item(['2025-05-12T00:00:00.000Z', '2025-05-12T00:00:00.000Z'], [[9, 0, 10, 0, 30]], true, false),
  ] },
  { name: 'ending at midnight', items: [item(['2025-07-10T00:00:00.000Z', '2025-07-10T00:00:00.000Z'], [[22, 0, 24, 0, 60]], false, true)] },
  { name: 'start after end', items: [item(['2025-07-10T00:00:00.000Z', '2025-07-10T00:00:00.000Z'], [[18, 0, 9, 0, 60]], true, true)] },
];

const out = {
  command: 'TZ=UTC node schedule/testdata/sdk_slots.js <node_modules/oneentry>',
  sdkVersion: version,
  cases: cases.map((c) => {
    const items = JSON.parse(JSON.stringify(c.items));
    const computed = sdk._addTimeIntervalsToFormSchedules(JSON.parse(JSON.stringify(c.items)));
    const all = new Set();
    for (const it of computed) for (const s of it.timeIntervals || []) all.add(JSON.stringify(s));
    return { name: c.name, items, slots: Array.from(all).sort().map((s) => JSON.parse(s)) };
  }),
};
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
