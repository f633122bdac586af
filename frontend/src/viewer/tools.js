// Mouse tools for the stack viewport, loaded after the first image is on screen: Cornerstone's tools package is
// a large part of the bundle and nothing needs it before the reader's first drag.
import { cache, eventTarget } from '@cornerstonejs/core';
import {
  addTool,
  annotation,
  EllipticalROITool,
  Enums as ToolEnums,
  init as toolsInit,
  LengthTool,
  PanTool,
  ProbeTool,
  StackScrollTool,
  store,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';

import { huAtPixel } from './hounsfield.js';

const { MouseBindings, KeyboardBindings } = ToolEnums;

// Fixed bindings, as in a PACS: wheel scrolls, middle drag pans, right drag zooms;
// with the left button, Shift scrolls and Ctrl pans whatever the left-button tool is.
const FIXED_BINDINGS = {
  [StackScrollTool.toolName]: [
    { mouseButton: MouseBindings.Wheel },
    { mouseButton: MouseBindings.Primary, modifierKey: KeyboardBindings.Shift },
  ],
  [PanTool.toolName]: [
    { mouseButton: MouseBindings.Auxiliary },
    { mouseButton: MouseBindings.Primary, modifierKey: KeyboardBindings.Ctrl },
  ],
  [ZoomTool.toolName]: [{ mouseButton: MouseBindings.Secondary }],
  [WindowLevelTool.toolName]: [],
};

export const LEFT_BUTTON_TOOLS = {
  windowLevel: WindowLevelTool.toolName,
  scroll: StackScrollTool.toolName,
  zoom: ZoomTool.toolName,
  pan: PanTool.toolName,
  length: LengthTool.toolName,
  probe: ProbeTool.toolName,
  ellipse: EllipticalROITool.toolName,
};

// The reader's measuring aids: drawn on the image and listed beside it, held only in Cornerstone's in-memory
// annotation state of this page (never sent, never part of the read), and dropped when the next study opens.
const MEASURING_TOOLS = [LengthTool, ProbeTool, EllipticalROITool];
const STATS_THROTTLE_MS = 100; // Length and EllipticalROI tools: throttle(_calculateCachedStats, 100, trailing)
const MEASURE_EVENTS = ['ANNOTATION_COMPLETED', 'ANNOTATION_MODIFIED', 'ANNOTATION_REMOVED']
  .map((name) => ToolEnums.Events[name]);

let started = false;

function start() {
  if (started) return;
  toolsInit();
  for (const tool of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool, ...MEASURING_TOOLS]) addTool(tool);
  started = true;
}

// Attaches the tools to an already enabled viewport; returns what the viewer needs to switch the left button.
export function attachTools({ element, viewportId, renderingEngineId, onMeasurements = () => {} }) {
  start();
  const completed = new Set(); // measurements whose drawing has ended (while drawn, their numbers still move)
  // The element was enabled before the tools listened for it: register it the way their listener would have.
  if (!store.state.enabledElements.includes(element)) {
    store.addEnabledElement({ detail: { element, viewportId, renderingEngineId } });
  }
  const group = ToolGroupManager.createToolGroup(`${viewportId}-tools`);
  for (const [toolName, bindings] of Object.entries(FIXED_BINDINGS)) {
    group.addTool(toolName);
    if (bindings.length) group.setToolActive(toolName, { bindings });
  }
  for (const tool of MEASURING_TOOLS) {
    group.addTool(tool.toolName);
    group.setToolPassive(tool.toolName); // drawn measurements stay visible and can be dragged whatever the left tool
  }
  group.addViewport(viewportId, renderingEngineId);
  const show = () => onMeasurements(measurementsOf(element).map((m) => ({ ...m, complete: completed.has(m.uid) })));
  const changed = (event) => {
    if (event?.type === ToolEnums.Events.ANNOTATION_COMPLETED) {
      // The numbers of the last mouse position come from the render after the button is let go, and the tools
      // recompute them at most every STATS_THROTTLE_MS (a trailing call): the list says "complete" after both.
      const uid = event.detail.annotation.annotationUID;
      element.addEventListener(ToolEnums.Events.ANNOTATION_RENDERED, () => setTimeout(() => {
        completed.add(uid);
        show();
      }, STATS_THROTTLE_MS * 1.5), { once: true });
    }
    show();
  };
  for (const name of MEASURE_EVENTS) eventTarget.addEventListener(name, changed);
  let left = WindowLevelTool.toolName;
  group.setToolActive(left, { bindings: [{ mouseButton: MouseBindings.Primary }] });
  return {
    setLeftTool(name) {
      const toolName = LEFT_BUTTON_TOOLS[name];
      if (!toolName || toolName === left) return;
      group.setToolPassive(left);
      group.setToolActive(toolName, { bindings: [{ mouseButton: MouseBindings.Primary }] });
      left = toolName;
    },
    measurements: () => measurementsOf(element),
    clearMeasurements() {
      for (const tool of MEASURING_TOOLS) {
        // A copy: the state's own list shrinks while we remove from it.
        for (const drawn of [...(annotation.state.getAnnotations(tool.toolName, element) || [])]) {
          annotation.state.removeAnnotation(drawn.annotationUID);
        }
      }
      changed();
    },
    destroy() {
      for (const name of MEASURE_EVENTS) eventTarget.removeEventListener(name, changed);
      ToolGroupManager.destroyToolGroup(group.id);
    },
  };
}

// ProbeTool 5.14 on a stack asks the image's voxels for slice k of a one-slice image and gets nothing; the pixel it
// found (stats.index) is read from the image it was placed on instead.
function probeValue(drawn, stats) {
  const value = Array.isArray(stats.value) ? stats.value[0] : stats.value;
  if (Number.isFinite(value)) return value;
  const image = cache.getImage(drawn.metadata?.referencedImageId);
  return image && stats.index ? huAtPixel(image, stats.index[0], stats.index[1]) : null;
}

const round = (value, digits) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

// One line per measurement on this element, in the order drawn: a length in mm, a probe's value, an ellipse's
// mean and standard deviation and area (CT values in HU, as Cornerstone computed them from the modality LUT).
export function measurementsOf(element) {
  const rows = [];
  for (const tool of MEASURING_TOOLS) {
    for (const drawn of annotation.state.getAnnotations(tool.toolName, element) || []) {
      const stats = Object.values(drawn.data?.cachedStats || {})[0];
      if (!stats) continue;
      const row = { uid: drawn.annotationUID, tool: tool.toolName };
      if (tool === LengthTool) Object.assign(row, { length: round(stats.length, 2), unit: stats.unit });
      if (tool === ProbeTool) Object.assign(row, { value: round(probeValue(drawn, stats), 1), unit: stats.modalityUnit });
      if (tool === EllipticalROITool) {
        Object.assign(row, {
          mean: round(stats.mean, 1), stdDev: round(stats.stdDev, 1), area: round(stats.area, 1),
          unit: stats.modalityUnit, areaUnit: stats.areaUnit,
        });
      }
      rows.push(row);
    }
  }
  return rows;
}
