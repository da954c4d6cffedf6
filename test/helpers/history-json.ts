import { createRequire } from 'node:module';
import type { History } from '@temporalio/common/lib/proto-utils';
// A default import: the package is CommonJS, whose named exports Node's ESM loader (scripts run by tsx) cannot see.
import proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

/**
 * Workflow histories to and from the JSON that Temporal's tools write (`temporal workflow show --output
 * json`, the UI's download) — what the SDK's historyToJSON/historyFromJSON (@temporalio/common/lib/proto-utils)
 * do, and would be used for, but here they throw "type must be a Type": npm installed a copy of
 * protobufjs 8 under each @temporalio package (the top level holds grpc's protobufjs 7), and those helpers
 * hand a type built by @temporalio/proto's copy to @temporalio/common's copy, whose `instanceof` refuses
 * it. The same conversion with the protojson extension of @temporalio/proto's own copy works with either
 * install. Reading does not accept the older tctl spelling of enums ("WorkflowExecutionStarted") that the
 * SDK's helper also takes: files written by toHistoryJson, the CLI and the UI use the proto names.
 */

/**
 * One file of test/replay/histories (scripts/record-histories.ts): the workflow id that replay needs
 * (histories do not hold it), and the history as Temporal's JSON.
 */
export interface RecordedHistory {
  workflowId: string;
  workflowType: string;
  /** The commit whose workflow code made it (`+dirty` when workflows/ or domain/ had uncommitted changes). */
  recordedFrom: string;
  history: unknown;
}

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}
const requireFromProto = createRequire(createRequire(import.meta.url).resolve('@temporalio/proto'));
const protojson = requireFromProto('protobufjs/ext/protojson') as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

/** A history (as `handle.fetchHistory()` returns it) as Temporal's JSON value. */
export function historyToJsonValue(history: History): unknown {
  return protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history));
}

/**
 * A history from Temporal's JSON value. Fields this SDK does not know (a newer server's) are ignored, as
 * the SDK's own reader does.
 * @throws TypeError when `json` is not a history.
 */
export function historyFromJsonValue(json: unknown): History {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) throw new TypeError('not a history: expected an object with an array of events');
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}
