// The satellites and their laser links, interpolated on the GPU.
// The layer holds two vertex buffers: the Earth-fixed positions (km) of every satellite at the
// 15-s samples before and after the clock. The vertex shader mixes them by `fraction` and turns
// the result into lon/lat/height above deck.gl's spherical globe (its `EARTH_RADIUS`), so a frame changes one uniform; the
// buffers are rewritten only when the clock crosses a sample (four times a second at the
// globe's pace). Satellites are one point each (`point-list`, one vertex per satellite) and
// the links one indexed `line-list` draw over the same buffers: no per-satellite or per-link
// JavaScript, no instanced quads for a software rasteriser to fill.
import { Layer, project32, type DefaultProps, type LayerProps, type UpdateParameters } from "@deck.gl/core";
import { Buffer } from "@luma.gl/core";
import { Model } from "@luma.gl/engine";
import type { ShaderModule } from "@luma.gl/shadertools";

type SkyUniforms = { fraction: number; pointSize: number; color: [number, number, number, number] };

const uniformBlock = /* glsl */ `\
layout(std140) uniform skyUniforms {
  float fraction;
  float pointSize;
  vec4 color;
} sky;
`;

const skyModule = {
  name: "sky",
  vs: uniformBlock,
  fs: uniformBlock,
  uniformTypes: { fraction: "f32", pointSize: "f32", color: "vec4<f32>" },
} as const satisfies ShaderModule<SkyUniforms>;

// The globe is a sphere of GLOBE_RADIUS common units about the origin (deck.gl's globe
// projection; the constant and the camera exist in the vertex stage only, hence the flat
// varyings): what lies behind it, seen from the camera, is not drawn. The test is analytic
// and per fragment (no depth buffer, no Earth drawn in this layer's canvas): a link can pass
// behind the limb half-way.
const occlusion = /* glsl */ `\
bool behindGlobe(vec3 p, vec3 camera, float radius) {
  vec3 d = p - camera;
  float a = dot(d, d);
  float halfB = dot(camera, d);
  float c = dot(camera, camera) - radius * radius;
  float disc = halfB * halfB - a * c;
  if (disc <= 0.0) return false;
  float t = (-halfB - sqrt(disc)) / a;
  return t > 0.0 && t < 1.0;
}
`;

const vs = /* glsl */ `\
#version 300 es
#define SHADER_NAME leonet-sky-vertex
in vec3 positionsA;
in vec3 positionsB;
out vec4 vColor;
out vec3 vCommon;
flat out vec3 vCamera;
flat out float vRadius;
void main(void) {
  vec3 p = mix(positionsA, positionsB, sky.fraction);
  float r = length(p);
  vCamera = project.cameraPosition;
  vRadius = GLOBE_RADIUS;
  vColor = sky.color;
  gl_PointSize = sky.pointSize;
  // A failed SGP4 sample is NaN: keep it, and what the globe hides, out of the clip volume.
  if (isnan(r) || r < 1.0) {
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
    return;
  }
  vec3 lonLatHeight = vec3(degrees(atan(p.y, p.x)), degrees(asin(p.z / r)), r * 1000.0 - EARTH_RADIUS);
  vCommon = project_position(lonLatHeight);
  gl_Position = project_common_position_to_clipspace(vec4(vCommon, 1.0));
}
`;

const fs = /* glsl */ `\
#version 300 es
#define SHADER_NAME leonet-sky-fragment
precision highp float;
in vec4 vColor;
in vec3 vCommon;
flat in vec3 vCamera;
flat in float vRadius;
out vec4 fragColor;
${occlusion}
void main(void) {
  if (behindGlobe(vCommon, vCamera, vRadius)) discard;
  fragColor = vColor;
}
`;

export type RGBA01 = [number, number, number, number];

type _SkyLayerProps = {
  /** Earth-fixed km (x y z per satellite) at the sample before the clock. */
  before: Float32Array;
  /** The same at the sample after the clock (the same length). */
  after: Float32Array;
  /** Where the clock is between the two samples, 0 … 1. */
  fraction: number;
  /** Satellite index pairs of the laser links (null: none drawn). */
  links: Uint32Array | null;
  pointSizePixels: number;
  pointColor: RGBA01;
  linkColor: RGBA01;
};

export type SkyLayerProps = _SkyLayerProps & LayerProps;

const defaultProps: DefaultProps<SkyLayerProps> = {
  before: { type: "object", value: new Float32Array(0) },
  after: { type: "object", value: new Float32Array(0) },
  fraction: { type: "number", value: 0, min: 0, max: 1 },
  links: { type: "object", value: null },
  pointSizePixels: { type: "number", value: 2 },
  pointColor: { type: "array", value: [1, 1, 1, 0.9] },
  linkColor: { type: "array", value: [0.3, 0.63, 1, 0.35] },
};

type SkyState = { a: Buffer; b: Buffer; index: Buffer | null; points: Model; lines: Model | null; models: Model[] };

export class SkyLayer extends Layer<Required<_SkyLayerProps>> {
  static layerName = "SkyLayer";
  static defaultProps = defaultProps;
  declare state: SkyState;

  getShaders() {
    return super.getShaders({ vs, fs, modules: [project32, skyModule] });
  }

  initializeState(): void {
    const a = this.vertexBuffer(this.props.before);
    const b = this.vertexBuffer(this.props.after);
    const points = this.model("points", "point-list", a, b);
    points.setVertexCount(this.props.before.length / 3);
    this.state = { a, b, index: null, points, lines: null, models: [points] };
    this.setLinks(this.props.links);
  }

  updateState({ props, oldProps }: UpdateParameters<this>): void {
    if (!oldProps.before) return; // the first update: initializeState made everything
    if (props.before.length !== oldProps.before.length) {
      // A different constellation: new buffers, new models.
      this.finalizeModels();
      this.initializeState();
      return;
    }
    if (props.before !== oldProps.before) this.state.a.write(props.before);
    if (props.after !== oldProps.after) this.state.b.write(props.after);
    if (props.links !== oldProps.links) this.setLinks(props.links);
  }

  draw(): void {
    const { fraction, pointSizePixels, pointColor, linkColor } = this.props;
    const { points, lines } = this.state;
    if (lines) {
      lines.shaderInputs.setProps({ sky: { fraction, pointSize: 1, color: linkColor } });
      lines.draw(this.context.renderPass);
    }
    points.shaderInputs.setProps({ sky: { fraction, pointSize: pointSizePixels, color: pointColor } });
    points.draw(this.context.renderPass);
  }

  finalizeState(context: Parameters<Layer["finalizeState"]>[0]): void {
    this.finalizeModels();
    super.finalizeState(context);
  }

  private vertexBuffer(data: Float32Array): Buffer {
    return this.context.device.createBuffer({ usage: Buffer.VERTEX | Buffer.COPY_DST, data });
  }

  private model(id: string, topology: "point-list" | "line-list", a: Buffer, b: Buffer): Model {
    return new Model(this.context.device, {
      ...this.getShaders(),
      id: `${this.props.id}-${id}`,
      topology,
      bufferLayout: [{ name: "positionsA", format: "float32x3" }, { name: "positionsB", format: "float32x3" }],
      attributes: { positionsA: a, positionsB: b },
    });
  }

  private setLinks(links: Uint32Array | null): void {
    const s = this.state;
    if (s.lines) {
      s.models = s.models.filter((m) => m !== s.lines);
      s.lines.destroy();
      s.lines = null;
    }
    s.index?.destroy();
    s.index = null;
    if (!links || links.length === 0) return;
    s.index = this.context.device.createBuffer({ usage: Buffer.INDEX, indexType: "uint32", data: links });
    s.lines = this.model("links", "line-list", s.a, s.b);
    s.lines.setIndexBuffer(s.index);
    s.models.push(s.lines);
  }

  private finalizeModels(): void {
    const s = this.state;
    for (const m of s.models) m.destroy();
    s.models = [];
    s.a.destroy();
    s.b.destroy();
    s.index?.destroy();
  }
}
