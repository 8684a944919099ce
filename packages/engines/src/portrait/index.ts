/** The built-in talking-portrait renderer and its parts (landmarks, animation, per-frame rendering). */
export { type AnimationOptions, animateSpeech, type FramePose, type PortraitAnimation } from './animation.js';
export { frameEnvelope } from './audio-envelope.js';
export { decodeRgb, detectFace, detectFaceInRgb, type FaceLandmarks, type Point2 } from './face-landmarks.js';
export { buildFaceRig, type FaceRig } from './face-rig.js';
export { PortraitFrameRenderer } from './frame-renderer.js';
export { blinkTrack, type HeadPose, headTrack, scheduleBlinks, seededRandom } from './motion.js';
export {
  composeBaseFrame,
  type FrameSize,
  frameSizeFor,
  type Placement,
  type PortraitFit,
  placePoint,
  planPlacement,
} from './photo-layout.js';
export {
  builtInPortraitRenderer,
  deriveSeed,
  type PortraitRenderer,
  pickThumbnailFrame,
  type RenderTalkingPortraitOptions,
  renderTalkingPortrait,
  type TalkingPortraitResult,
} from './render-talking-portrait.js';
export { type MouthShape, visemeForPhoneme } from './visemes.js';
export { rgbToYuv420, yuv420ToRgb } from './yuv.js';
