// Layer table, parameter count and forward FLOPs of a model at a given patch
// size (printed by `--dry-run`). FLOPs count convolutions only (2 per
// multiply-add, bias excluded), once per call of a shared layer; the
// elementwise work of ReLU, adds, pooling and normalisation is a few percent.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Dims } from '../../spec/config.js';

export interface LayerSummary {
  readonly name: string;
  readonly type: string;
  /** output shape at the summarised patch size, batch 1 (first call for shared layers) */
  readonly outputShape: readonly number[];
  readonly params: number;
  /** how many times the layer is applied (recurrent steps share one layer) */
  readonly calls: number;
}

export interface ModelSummary {
  readonly layers: readonly LayerSummary[];
  readonly params: number;
  /** forward FLOPs for one patch (batch 1) */
  readonly flopsPerPatch: number;
}

type Shape = number[];
/** the parts of tfjs-layers' (unexported) Node class used here */
interface GraphNode {
  inboundLayers: tfl.layers.Layer[];
  nodeIndices: number[];
  tensorIndices: number[];
}
interface ConvLike {
  kernelSize?: number[];
  filters?: number;
}

function nodesOf(layer: tfl.layers.Layer): GraphNode[] {
  return (layer as unknown as { inboundNodes: GraphNode[] }).inboundNodes;
}

export function summarizeModel(model: tfl.LayersModel, patch: Dims, inputChannels: number): ModelSummary {
  const memo = new Map<tfl.layers.Layer, Shape[][]>();
  // concrete output shapes of every call of every layer, derived from the patch size
  const outputsOf = (layer: tfl.layers.Layer, nodeIndex: number): Shape[] => {
    let perNode = memo.get(layer);
    if (perNode === undefined) memo.set(layer, (perNode = []));
    if (perNode[nodeIndex] !== undefined) return perNode[nodeIndex];
    const node = nodesOf(layer)[nodeIndex];
    let out: Shape | Shape[];
    if (node.inboundLayers.length === 0) {
      out = [1, patch[0], patch[1], inputChannels];
    } else {
      const ins = node.inboundLayers.map((l, i) => outputsOf(l, node.nodeIndices[i])[node.tensorIndices[i]]);
      out = layer.computeOutputShape(ins.length === 1 ? ins[0] : ins) as Shape | Shape[];
    }
    const list = Array.isArray(out[0]) ? (out as Shape[]) : [out as Shape];
    perNode[nodeIndex] = list;
    return list;
  };
  const inputShapeOf = (layer: tfl.layers.Layer, nodeIndex: number): Shape => {
    const node = nodesOf(layer)[nodeIndex];
    return outputsOf(node.inboundLayers[0], node.nodeIndices[0])[node.tensorIndices[0]];
  };

  let flops = 0;
  const layers: LayerSummary[] = [];
  for (const layer of model.layers) {
    const type = layer.getClassName();
    const calls = nodesOf(layer).filter((n) => n.inboundLayers.length > 0).length || 1;
    const callIndices = nodesOf(layer)
      .map((_, i) => i)
      .filter((i) => nodesOf(layer)[i].inboundLayers.length > 0 || type === 'InputLayer');
    for (const i of callIndices) {
      if (type !== 'Conv2D' && type !== 'Conv2DTranspose') continue;
      const { kernelSize = [1, 1], filters = 0 } = layer as unknown as ConvLike;
      const inShape = inputShapeOf(layer, i);
      const cin = inShape[3];
      // Conv2D: one MAC per kernel tap per output pixel; transpose: per input pixel
      const pixels = type === 'Conv2D' ? outputsOf(layer, i)[0][1] * outputsOf(layer, i)[0][2] : inShape[1] * inShape[2];
      flops += 2 * kernelSize[0] * kernelSize[1] * cin * filters * pixels;
    }
    layers.push({
      name: layer.name,
      type,
      outputShape: outputsOf(layer, callIndices[0] ?? 0)[0],
      params: layer.countParams(),
      calls,
    });
  }
  return { layers, params: model.countParams(), flopsPerPatch: flops };
}

export function formatSummary(s: ModelSummary): string {
  const rows = s.layers.map((l) => [
    l.name,
    l.type,
    `[${l.outputShape.slice(1).join('x')}]`,
    l.params.toLocaleString('en-US'),
    l.calls > 1 ? `x${l.calls}` : '',
  ]);
  const head = ['layer', 'type', 'output', 'params', 'calls'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [
    line(head),
    ...rows.map(line),
    '',
    `parameters: ${s.params.toLocaleString('en-US')}`,
    `forward: ${(s.flopsPerPatch / 1e9).toFixed(3)} GFLOP per patch (convolutions)`,
  ].join('\n');
}
