// Fixed lon/lat geometry as one indexed draw with a colour per vertex: the country outlines (a
// `line-list` of one-pixel lines) and the coverage cells (a `triangle-list`, each H3 cell's
// boundary fanned into triangles by the server).
//
// Outlines: deck.gl's PathLayer extrudes every segment into a quad with joints in its vertex
// shader, which a software rasteriser pays for on every frame; outlines need none of it.
// Cells: the geometry goes to the GPU once per region; a change of time or figure rewrites only
// the colour buffer (4 bytes a vertex, when `colorsVersion` changes), so neither deck.gl's
// polygon tessellation nor any per-cell JavaScript object runs when the slider or the sky's
// clock moves (the first attempt, a SolidPolygonLayer rebuilt on every time change, took 0.1 s
// a frame for Ukraine at res 5 and 0.8 s for all land at res 4).
import { Layer, project32, type DefaultProps, type LayerProps, type UpdateParameters } from "@deck.gl/core";
import { Buffer } from "@luma.gl/core";
import { Model } from "@luma.gl/engine";
import type { ShaderModule } from "@luma.gl/shadertools";

type MeshUniforms = { heightM: number };

const uniformBlock = /* glsl */ `\
layout(std140) uniform meshUniforms {
  float heightM;
} mesh;
`;

const meshModule = {
  name: "mesh",
  vs: uniformBlock,
  uniformTypes: { heightM: "f32" },
} as const satisfies ShaderModule<MeshUniforms>;

const vs = /* glsl */ `\
#version 300 es
#define SHADER_NAME leonet-mesh-vertex
in vec2 lonLat;
in vec4 colors;
out vec4 vColor;
void main(void) {
  vColor = colors;
  gl_Position = project_position_to_clipspace(vec3(lonLat, mesh.heightM), vec3(0.0), vec3(0.0));
}
`;

const fs = /* glsl */ `\
#version 300 es
#define SHADER_NAME leonet-mesh-fragment
precision highp float;
in vec4 vColor;
out vec4 fragColor;
void main(void) {
  if (vColor.a == 0.0) discard;
  fragColor = vColor;
}
`;

type _MeshLayerProps = {
  /** lon°, lat° of every vertex. */
  lonLat: Float32Array;
  /** Vertex indices: pairs for lines, triples for triangles. */
  indices: Uint32Array;
  topology: "line-list" | "triangle-list";
  /** RGBA bytes per vertex; rewritten on the GPU when `colorsVersion` changes. */
  colors: Uint8Array;
  colorsVersion: number;
  /** Drawn this high (m) so that segments and flat triangles, chords under the sphere, stay
   *  above the globe's own chords (a 2° segment sags ~1 km below the surface at its middle). */
  heightM: number;
};

export type MeshLayerProps = _MeshLayerProps & LayerProps;

const defaultProps: DefaultProps<MeshLayerProps> = {
  lonLat: { type: "object", value: new Float32Array(0) },
  indices: { type: "object", value: new Uint32Array(0) },
  topology: "line-list",
  colors: { type: "object", value: new Uint8Array(0) },
  colorsVersion: { type: "number", value: 0 },
  heightM: { type: "number", value: 5_000 },
};

/** One RGBA colour for each of `n` vertices. */
export function uniformColours(n: number, rgba: [number, number, number, number]): Uint8Array {
  const out = new Uint8Array(4 * n);
  for (let i = 0; i < out.length; i += 4) out.set(rgba, i);
  return out;
}

type MeshState = { vertices: Buffer; colors: Buffer; index: Buffer; model: Model };

export class MeshLayer extends Layer<Required<_MeshLayerProps>> {
  static layerName = "MeshLayer";
  static defaultProps = defaultProps;
  declare state: MeshState;

  getShaders() {
    return super.getShaders({ vs, fs, modules: [project32, meshModule] });
  }

  initializeState(): void {
    const device = this.context.device;
    const vertices = device.createBuffer({ usage: Buffer.VERTEX, data: this.props.lonLat });
    const colors = device.createBuffer({ usage: Buffer.VERTEX | Buffer.COPY_DST, data: this.props.colors });
    const index = device.createBuffer({ usage: Buffer.INDEX, indexType: "uint32", data: this.props.indices });
    const model = new Model(device, {
      ...this.getShaders(),
      id: this.props.id,
      topology: this.props.topology,
      bufferLayout: [{ name: "lonLat", format: "float32x2" }, { name: "colors", format: "unorm8x4" }],
      attributes: { lonLat: vertices, colors },
      indexBuffer: index,
    });
    this.state = { vertices, colors, index, model };
  }

  updateState({ props, oldProps }: UpdateParameters<this>): void {
    if (!oldProps.lonLat) return; // the first update: initializeState made everything
    if (props.lonLat !== oldProps.lonLat || props.indices !== oldProps.indices || props.topology !== oldProps.topology) {
      this.release();
      this.initializeState();
    } else if (props.colorsVersion !== oldProps.colorsVersion) {
      this.state.colors.write(props.colors);
    }
  }

  draw(): void {
    this.state.model.shaderInputs.setProps({ mesh: { heightM: this.props.heightM } });
    this.state.model.draw(this.context.renderPass);
  }

  finalizeState(context: Parameters<Layer["finalizeState"]>[0]): void {
    this.release();
    super.finalizeState(context);
  }

  private release(): void {
    this.state.model.destroy();
    this.state.vertices.destroy();
    this.state.colors.destroy();
    this.state.index.destroy();
  }
}
