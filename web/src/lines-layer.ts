// Fixed lon/lat line segments (the country outlines) as one indexed `line-list` draw of
// one-pixel lines. deck.gl's PathLayer extrudes every segment into a quad with joints in its
// vertex shader, which a software rasteriser pays for on every frame; outlines need none of it.
import { Layer, project32, type DefaultProps, type LayerProps, type UpdateParameters } from "@deck.gl/core";
import { Buffer } from "@luma.gl/core";
import { Model } from "@luma.gl/engine";
import type { ShaderModule } from "@luma.gl/shadertools";

type LinesUniforms = { color: [number, number, number, number]; heightM: number };

const uniformBlock = /* glsl */ `\
layout(std140) uniform linesUniforms {
  vec4 color;
  float heightM;
} lines;
`;

const linesModule = {
  name: "lines",
  vs: uniformBlock,
  fs: uniformBlock,
  uniformTypes: { color: "vec4<f32>", heightM: "f32" },
} as const satisfies ShaderModule<LinesUniforms>;

const vs = /* glsl */ `\
#version 300 es
#define SHADER_NAME leonet-lines-vertex
in vec2 lonLat;
void main(void) {
  gl_Position = project_position_to_clipspace(vec3(lonLat, lines.heightM), vec3(0.0), vec3(0.0));
}
`;

const fs = /* glsl */ `\
#version 300 es
#define SHADER_NAME leonet-lines-fragment
precision highp float;
out vec4 fragColor;
void main(void) {
  fragColor = lines.color;
}
`;

type _LinesLayerProps = {
  /** lon°, lat° of every vertex. */
  lonLat: Float32Array;
  /** Vertex index pairs, one per segment. */
  segments: Uint32Array;
  color: [number, number, number, number];
  /** Drawn this high (m) so that segments, chords under the sphere, stay above the globe's own
   *  chords (a 2° segment sags ~1 km below the surface at its middle). */
  heightM: number;
};

export type LinesLayerProps = _LinesLayerProps & LayerProps;

const defaultProps: DefaultProps<LinesLayerProps> = {
  lonLat: { type: "object", value: new Float32Array(0) },
  segments: { type: "object", value: new Uint32Array(0) },
  color: { type: "array", value: [0.67, 0.75, 0.82, 0.8] },
  heightM: { type: "number", value: 5_000 },
};

type LinesState = { vertices: Buffer; index: Buffer; model: Model };

export class LinesLayer extends Layer<Required<_LinesLayerProps>> {
  static layerName = "LinesLayer";
  static defaultProps = defaultProps;
  declare state: LinesState;

  getShaders() {
    return super.getShaders({ vs, fs, modules: [project32, linesModule] });
  }

  initializeState(): void {
    const device = this.context.device;
    const vertices = device.createBuffer({ usage: Buffer.VERTEX, data: this.props.lonLat });
    const index = device.createBuffer({ usage: Buffer.INDEX, indexType: "uint32", data: this.props.segments });
    const model = new Model(device, {
      ...this.getShaders(),
      id: this.props.id,
      topology: "line-list",
      bufferLayout: [{ name: "lonLat", format: "float32x2" }],
      attributes: { lonLat: vertices },
      indexBuffer: index,
    });
    this.state = { vertices, index, model };
  }

  updateState({ props, oldProps }: UpdateParameters<this>): void {
    if (!oldProps.lonLat) return; // the first update: initializeState made everything
    if (props.lonLat !== oldProps.lonLat || props.segments !== oldProps.segments) {
      this.release();
      this.initializeState();
    }
  }

  draw(): void {
    this.state.model.shaderInputs.setProps({ lines: { color: this.props.color, heightM: this.props.heightM } });
    this.state.model.draw(this.context.renderPass);
  }

  finalizeState(context: Parameters<Layer["finalizeState"]>[0]): void {
    this.release();
    super.finalizeState(context);
  }

  private release(): void {
    this.state.model.destroy();
    this.state.vertices.destroy();
    this.state.index.destroy();
  }
}
