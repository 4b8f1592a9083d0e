// Two deck.gl canvases on one globe: the map (Earth, policy cells, outlines, ground sites) is
// drawn only when the view, the policy answer or a switch changes; the sky canvas above it,
// transparent, is the only one drawn every frame. On a software rasteriser each layer drawn
// costs milliseconds per frame whatever it shows, so the static map must not be redrawn sixty
// times a second for the satellites to move.
import { Deck, _GlobeView as GlobeView, type Layer, type LayersList, type PickingInfo } from "@deck.gl/core";

const INITIAL_VIEW = { longitude: 31, latitude: 48, zoom: 1.2 };

// No multisampling: a software rasteriser pays four samples for every pixel of every frame,
// and a point or a 1-px line gains nothing from it. The drawing buffer is not preserved
// between frames (no copy per frame): the compositor can swap it.
const DEVICE = { webgl: { antialias: false, preserveDrawingBuffer: false } };
const CANVAS_STYLE = { position: "absolute", left: "0", top: "0" };

export interface Globe {
  setMap(layers: LayersList): void;
  setSky(layers: Layer[]): void;
}

export interface GlobeEvents {
  onClick: (info: PickingInfo) => void;
  /** After each frame of the sky (every animation frame) and of the map (on changes). */
  onSkyFrame: () => void;
  onMapFrame: () => void;
}

export function createGlobe(parent: HTMLDivElement, { onClick, onSkyFrame, onMapFrame }: GlobeEvents): Globe {
  const view = new GlobeView({ id: "globe" });
  const sky = new Deck({
    parent, deviceProps: DEVICE, views: view, viewState: INITIAL_VIEW, controller: false,
    style: { ...CANVAS_STYLE, pointerEvents: "none", zIndex: "1" },
    onAfterRender: onSkyFrame,
  });
  const map = new Deck({
    parent, deviceProps: DEVICE, views: view, initialViewState: INITIAL_VIEW, controller: true,
    style: CANVAS_STYLE, onClick, onAfterRender: onMapFrame,
    onViewStateChange: ({ viewState }) => {
      sky.setProps({ viewState });
      return viewState;
    },
  });
  return {
    setMap: (layers) => map.setProps({ layers }),
    setSky: (layers) => sky.setProps({ layers }),
  };
}
