// Mouse tools for the stack viewport, loaded after the first image is on screen: Cornerstone's tools package is
// a large part of the bundle and nothing needs it before the reader's first drag.
import {
  addTool,
  Enums as ToolEnums,
  init as toolsInit,
  PanTool,
  StackScrollTool,
  store,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';

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
};

let started = false;

function start() {
  if (started) return;
  toolsInit();
  for (const tool of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool]) addTool(tool);
  started = true;
}

// Attaches the tools to an already enabled viewport; returns what the viewer needs to switch the left button.
export function attachTools({ element, viewportId, renderingEngineId }) {
  start();
  // The element was enabled before the tools listened for it: register it the way their listener would have.
  if (!store.state.enabledElements.includes(element)) {
    store.addEnabledElement({ detail: { element, viewportId, renderingEngineId } });
  }
  const group = ToolGroupManager.createToolGroup(`${viewportId}-tools`);
  for (const [toolName, bindings] of Object.entries(FIXED_BINDINGS)) {
    group.addTool(toolName);
    if (bindings.length) group.setToolActive(toolName, { bindings });
  }
  group.addViewport(viewportId, renderingEngineId);
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
    destroy() {
      ToolGroupManager.destroyToolGroup(group.id);
    },
  };
}
