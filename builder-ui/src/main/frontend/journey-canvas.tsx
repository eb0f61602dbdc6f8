// <journey-canvas>: the journey canvas, @xyflow/react behind Vaadin's React adapter.
//
// The server owns the journey: it sends the graph to draw as the `graph` state (JSON text: nodes
// with their ports, problems and counts, edges with their counts, the mode) and gets back what the
// person did as events whose detail is JSON text (journey-select, journey-move, journey-connect,
// journey-disconnect, journey-delete, journey-add). The canvas keeps only what a drag needs while
// it lasts, and lays out nodes that have no position yet (dagre), telling the server where.
import { ReactAdapterElement, type RenderHooks } from 'Frontend/generated/flow/ReactAdapter';
import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Background,
  Controls,
  Handle,
  MarkerType,
  MiniMap,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type Edge,
  type Node,
  type EdgeChange,
  type NodeChange,
  type NodeProps,
} from '@xyflow/react';
import dagre from '@dagrejs/dagre';
import '@xyflow/react/dist/style.css';
import './journey-canvas.css';

type Port = { id: string; label: string };
type Stats = { now: number; entered: number };
type GraphNode = {
  id: string;
  type: string;
  typeLabel: string;
  title: string;
  lines: string[];
  x: number | null;
  y: number | null;
  ports: Port[];
  input: boolean;
  deletable: boolean;
  problems: string[];
  stats: Stats | null;
};
type GraphEdge = { source: string; handle: string; target: string; label: string; count: number | null };
type Graph = {
  mode: 'design' | 'view' | 'live' | 'simulation';
  selected: string | null;
  nodes: GraphNode[];
  edges: GraphEdge[];
  palette: { type: string; label: string }[];
};
type NodeData = GraphNode & { mode: Graph['mode'] };

const EMPTY: Graph = { mode: 'design', selected: null, nodes: [], edges: [], palette: [] };
const WIDTH = 230;
// Fit the journey in view, but never so small that a node cannot be read: pan for the rest.
const FIT = { padding: 0.1, minZoom: 0.55, maxZoom: 1 };

function height(n: GraphNode): number {
  return 64 + n.lines.length * 18 + (n.stats ? 22 : 0) + (n.ports.length > 0 ? 20 : 0);
}

/** Positions for the nodes that have none, from a top-to-bottom dagre layout of the whole graph. */
function layout(nodes: GraphNode[], edges: GraphEdge[], all: boolean): Record<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 60, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  nodes.forEach((n) => g.setNode(n.id, { width: WIDTH, height: height(n) }));
  edges.forEach((e) => {
    if (g.hasNode(e.source) && g.hasNode(e.target)) {
      g.setEdge(e.source, e.target);
    }
  });
  dagre.layout(g);
  const placed: Record<string, { x: number; y: number }> = {};
  nodes.forEach((n) => {
    if (all || n.x === null || n.y === null) {
      const p = g.node(n.id);
      placed[n.id] = { x: Math.round(p.x - WIDTH / 2), y: Math.round(p.y - height(n) / 2) };
    }
  });
  return placed;
}

function StudioNode({ data, selected }: NodeProps<Node<NodeData>>) {
  const classes = ['jn', 'jn-' + data.type];
  if (selected) classes.push('jn-selected');
  if (data.problems.length > 0) classes.push('jn-invalid');
  return (
    <div className={classes.join(' ')} data-node={data.id} title={data.problems.join('\n')}>
      {data.input && <Handle type="target" position={Position.Top} className="jn-in" />}
      <div className="jn-head">
        <span className="jn-type">{data.typeLabel}</span>
        <span className="jn-id">{data.id.startsWith('__') ? '' : data.id}</span>
        {data.problems.length > 0 && (
          <span className="jn-problems" data-problems={data.problems.length}>
            {data.problems.length === 1 ? '1 problem' : data.problems.length + ' problems'}
          </span>
        )}
      </div>
      <div className="jn-title">{data.title}</div>
      {data.lines.map((l, i) => (
        <div className="jn-line" key={i}>
          {l}
        </div>
      ))}
      {data.stats && (
        <div className={'jn-stats jn-stats-' + data.mode}>
          <span className="jn-now" data-now={data.stats.now}>
            {data.stats.now.toLocaleString()} {data.mode === 'simulation' ? 'still there' : 'now'}
          </span>
          <span className="jn-entered" data-entered={data.stats.entered}>
            {data.stats.entered.toLocaleString()} {data.mode === 'simulation' ? 'expected' : 'entered'}
          </span>
        </div>
      )}
      {data.ports.length > 0 && (
        <div className="jn-ports">
          {data.ports.map((p) => (
            <div className="jn-port" key={p.id} data-port={p.id}>
              <span className="jn-port-label">{p.label}</span>
              <Handle type="source" id={p.id} position={Position.Bottom} className="jn-out" />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

const NODE_TYPES = { studio: StudioNode };

type Dispatch = (value: string) => boolean;

function Canvas(props: {
  graph: Graph;
  emit: {
    select: Dispatch;
    move: Dispatch;
    connect: Dispatch;
    disconnect: Dispatch;
    remove: Dispatch;
    add: Dispatch;
  };
}) {
  const { graph, emit } = props;
  const flow = useReactFlow();
  const pane = useRef<HTMLDivElement>(null);
  const design = graph.mode === 'design';
  const [nodes, setNodes] = useState<Node<NodeData>[]>([]);
  const [ghost, setGhost] = useState<{ type: string; label: string; x: number; y: number } | null>(null);

  // The server's graph wins; nodes without a position get one from the layout, reported back.
  useEffect(() => {
    const missing = graph.nodes.some((n) => n.x === null || n.y === null);
    const placed = missing ? layout(graph.nodes, graph.edges, graph.nodes.every((n) => n.x === null)) : {};
    // keep each node's measured size, so xyflow does not hide and re-measure it on every update
    setNodes((current) =>
      graph.nodes.map((n) => ({
        id: n.id,
        type: 'studio',
        position: placed[n.id] ?? { x: n.x ?? 0, y: n.y ?? 0 },
        data: { ...n, mode: graph.mode },
        deletable: design && n.deletable,
        connectable: design,
        selected: graph.selected === n.id,
        measured: current.find((c) => c.id === n.id)?.measured,
      })),
    );
    if (missing) {
      emit.move(JSON.stringify(placed));
      window.setTimeout(() => flow.fitView(FIT), 50);
    }
  }, [graph]);

  const [selectedEdges, setSelectedEdges] = useState<Set<string>>(new Set());
  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setSelectedEdges((current) => {
      const next = new Set(current);
      for (const c of changes) {
        if (c.type === 'select') {
          if (c.selected) next.add(c.id);
          else next.delete(c.id);
        }
      }
      return next;
    });
  }, []);

  const edges: Edge[] = useMemo(
    () =>
      graph.edges.map((e) => ({
        id: e.source + ':' + e.handle,
        selected: selectedEdges.has(e.source + ':' + e.handle),
        source: e.source,
        sourceHandle: e.handle,
        target: e.target,
        type: 'smoothstep',
        label: e.count === null ? e.label : (e.label ? e.label + ' · ' : '') + e.count.toLocaleString(),
        className: e.count === null ? 'je' : 'je je-counted je-' + graph.mode,
        markerEnd: { type: MarkerType.ArrowClosed },
        deletable: design,
        data: { count: e.count },
      })),
    [graph, selectedEdges],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<Node<NodeData>>[]) => {
      setNodes((current) => {
        let next = current;
        for (const c of changes) {
          if (c.type === 'position' && c.position) {
            next = next.map((n) => (n.id === c.id ? { ...n, position: c.position! } : n));
          } else if (c.type === 'select') {
            next = next.map((n) => (n.id === c.id ? { ...n, selected: c.selected } : n));
          } else if (c.type === 'dimensions' && c.dimensions) {
            next = next.map((n) => (n.id === c.id ? { ...n, measured: c.dimensions } : n));
          }
        }
        return next;
      });
    },
    [setNodes],
  );

  const onNodeDragStop = useCallback(
    (_: unknown, _node: Node, dragged: Node[]) => {
      const moved: Record<string, { x: number; y: number }> = {};
      dragged.forEach((n) => (moved[n.id] = { x: Math.round(n.position.x), y: Math.round(n.position.y) }));
      emit.move(JSON.stringify(moved));
    },
    [emit],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (c.source && c.target && c.source !== c.target) {
        emit.connect(JSON.stringify({ source: c.source, handle: c.sourceHandle ?? 'next', target: c.target }));
      }
    },
    [emit],
  );

  // Dragging from the palette with plain pointer events (a real mouse, and browser automation's).
  useEffect(() => {
    if (!ghost) return;
    const move = (e: PointerEvent) => setGhost((g) => (g ? { ...g, x: e.clientX, y: e.clientY } : g));
    const up = (e: PointerEvent) => {
      const box = pane.current?.getBoundingClientRect();
      if (box && e.clientX >= box.left && e.clientX <= box.right && e.clientY >= box.top && e.clientY <= box.bottom) {
        const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
        emit.add(JSON.stringify({ type: ghost.type, x: Math.round(at.x - WIDTH / 2), y: Math.round(at.y - 20) }));
      }
      setGhost(null);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    return () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
  }, [ghost, flow, emit]);

  return (
    <div className={'jc jc-' + graph.mode}>
      {design && graph.palette.length > 0 && (
        <div className="jc-palette" role="toolbar" aria-label="Add a node">
          <div className="jc-palette-title">Drag onto the canvas</div>
          {graph.palette.map((p) => (
            <div
              key={p.type}
              className={'jc-item jn-' + p.type}
              data-type={p.type}
              role="button"
              tabIndex={0}
              onPointerDown={(e) => {
                e.preventDefault();
                setGhost({ ...p, x: e.clientX, y: e.clientY });
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  const box = pane.current!.getBoundingClientRect();
                  const at = flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
                  emit.add(JSON.stringify({ type: p.type, x: Math.round(at.x), y: Math.round(at.y) }));
                }
              }}
            >
              {p.label}
            </div>
          ))}
        </div>
      )}
      <div className="jc-pane" ref={pane}>
        {graph.mode === 'simulation' && <div className="jc-banner">Simulation: expected counts, nothing was sent</div>}
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          onNodesChange={onNodesChange}
          onNodeDragStop={onNodeDragStop}
          onConnect={onConnect}
          onNodeClick={(_, n) => emit.select(JSON.stringify({ id: n.id }))}
          onPaneClick={() => emit.select(JSON.stringify({ id: null }))}
          onEdgesChange={onEdgesChange}
          onDelete={({ nodes: gone, edges: cut }) =>
            emit.remove(
              JSON.stringify({
                nodes: gone.map((n) => n.id),
                edges: cut.map((e) => ({ source: e.source, handle: e.sourceHandle ?? 'next' })),
              }),
            )
          }
          nodesConnectable={design}
          deleteKeyCode={design ? ['Delete', 'Backspace'] : null}
          fitView
          fitViewOptions={FIT}
          minZoom={0.2}
          maxZoom={2}
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={20} />
          <MiniMap pannable zoomable style={{ width: 140, height: 90 }} />
          <Controls />
        </ReactFlow>
      </div>
      {ghost && (
        <div className={'jc-ghost jn-' + ghost.type} style={{ left: ghost.x + 8, top: ghost.y + 8 }}>
          {ghost.label}
        </div>
      )}
    </div>
  );
}

class JourneyCanvasElement extends ReactAdapterElement {
  protected override render(hooks: RenderHooks): React.ReactElement | null {
    const [text] = hooks.useState<string>('graph', '');
    const graph: Graph = useMemo(() => (text ? (JSON.parse(text) as Graph) : EMPTY), [text]);
    const select = hooks.useCustomEvent<string>('journey-select');
    const move = hooks.useCustomEvent<string>('journey-move');
    const connect = hooks.useCustomEvent<string>('journey-connect');
    const remove = hooks.useCustomEvent<string>('journey-delete');
    const add = hooks.useCustomEvent<string>('journey-add');
    const disconnect = hooks.useCustomEvent<string>('journey-disconnect');
    const emit = useMemo(
      () => ({ select, move, connect, disconnect, remove, add }),
      [select, move, connect, disconnect, remove, add],
    );
    return (
      <ReactFlowProvider>
        <Canvas graph={graph} emit={emit} />
      </ReactFlowProvider>
    );
  }
}

customElements.define('journey-canvas', JourneyCanvasElement);
