// H3 cells as one indexed `triangle-list` draw with a colour per vertex. The geometry (each
// cell a fan about its centre, built once by the server) goes to the GPU once per region; a
// change of time or figure rewrites only the colour buffer (4 bytes a vertex), so neither
// deck.gl's polygon tessellation nor any per-cell JavaScript object runs when the slider or the
// sky's clock moves. This is what made the first attempt (SolidPolygonLayer rebuilt on every
// time change) take 0.1 s a frame for Ukraine at res 5 and 0.8 s for all land at res 4.
import { Layer, project32, type DefaultProps, type LayerProps, type UpdateParameters } from "@deck.gl/core";
import { Buffer } from "@luma.gl/core";
import { Model } from "@luma.gl/engine";
import type { ShaderModule } from "@luma.gl/shadertools";

type CellsUniforms = { heightM: number };

const uniformBlock = /* glsl */ `\
layout(std140) uniform cellsUniforms {
  float heightM;
} cells;
`;

const cellsModule = {
  name: "cells",
  vs: uniformBlock,
  uniformTypes: { heightM: "f32" },
} as const satisfies ShaderModule<CellsUniforms>;

const vs = /* glsl */ `\
#version 300 es
#define SHADER_NAME leonet-cells-vertex
in vec2 lonLat;
in vec4 colors;
out vec4 vColor;
void main(void) {
  vColor = colors;
  gl_Position = project_position_to_clipspace(vec3(lonLat, cells.heightM), vec3(0.0), vec3(0.0));
}
`;

const fs = /* glsl */ `\
#version 300 es
#define SHADER_NAME leonet-cells-fragment
precision highp float;
in vec4 vColor;
out vec4 fragColor;
void main(void) {
  if (vColor.a == 0.0) discard;
  fragColor = vColor;
}
`;

type _CoverageLayerProps = {
  /** lon°, lat° of every vertex (the server's `/api/coverage/mesh`). */
  lonLat: Float32Array;
  /** Vertex index triples. */
  triangles: Uint32Array;
  /** RGBA bytes per vertex; rewritten on the GPU when `colorsVersion` changes. */
  colors: Uint8Array;
  colorsVersion: number;
  /** Drawn this high (m) so that the cells' flat triangles stay above the globe's own. */
  heightM: number;
};

export type CoverageLayerProps = _CoverageLayerProps & LayerProps;

const defaultProps: DefaultProps<CoverageLayerProps> = {
  lonLat: { type: "object", value: new Float32Array(0) },
  triangles: { type: "object", value: new Uint32Array(0) },
  colors: { type: "object", value: new Uint8Array(0) },
  colorsVersion: { type: "number", value: 0 },
  heightM: { type: "number", value: 2_000 },
};

type CoverageState = { vertices: Buffer; colors: Buffer; index: Buffer; model: Model };

export class CoverageLayer extends Layer<Required<_CoverageLayerProps>> {
  static layerName = "CoverageLayer";
  static defaultProps = defaultProps;
  declare state: CoverageState;

  getShaders() {
    return super.getShaders({ vs, fs, modules: [project32, cellsModule] });
  }

  initializeState(): void {
    const device = this.context.device;
    const vertices = device.createBuffer({ usage: Buffer.VERTEX, data: this.props.lonLat });
    const colors = device.createBuffer({ usage: Buffer.VERTEX | Buffer.COPY_DST, data: this.props.colors });
    const index = device.createBuffer({ usage: Buffer.INDEX, indexType: "uint32", data: this.props.triangles });
    const model = new Model(device, {
      ...this.getShaders(),
      id: this.props.id,
      topology: "triangle-list",
      bufferLayout: [{ name: "lonLat", format: "float32x2" }, { name: "colors", format: "unorm8x4" }],
      attributes: { lonLat: vertices, colors },
      indexBuffer: index,
    });
    this.state = { vertices, colors, index, model };
  }

  updateState({ props, oldProps }: UpdateParameters<this>): void {
    if (!oldProps.lonLat) return; // the first update: initializeState made everything
    if (props.lonLat !== oldProps.lonLat || props.triangles !== oldProps.triangles) {
      this.release();
      this.initializeState();
    } else if (props.colorsVersion !== oldProps.colorsVersion) {
      this.state.colors.write(props.colors);
    }
  }

  draw(): void {
    this.state.model.shaderInputs.setProps({ cells: { heightM: this.props.heightM } });
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
