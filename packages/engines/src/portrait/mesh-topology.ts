/**
 * Indices into the 468-point MediaPipe face mesh that @vladmandic/human returns. "Right"/"left" are the
 * subject's: the right eye is on the image's left. Contours run from the image-left corner to the
 * image-right corner.
 */

export const LIPS_OUTER_UPPER = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291] as const;
export const LIPS_OUTER_LOWER = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291] as const;
export const LIPS_INNER_UPPER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308] as const;
export const LIPS_INNER_LOWER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308] as const;
export const MOUTH_CORNERS_OUTER = [61, 291] as const;
export const MOUTH_CORNERS_INNER = [78, 308] as const;

export const RIGHT_EYE_UPPER = [33, 246, 161, 160, 159, 158, 157, 173, 133] as const;
export const RIGHT_EYE_LOWER = [33, 7, 163, 144, 145, 153, 154, 155, 133] as const;
export const LEFT_EYE_UPPER = [362, 398, 384, 385, 386, 387, 388, 466, 263] as const;
export const LEFT_EYE_LOWER = [362, 382, 381, 380, 374, 373, 390, 249, 263] as const;

/** Face outline, clockwise from the top of the forehead. */
export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149,
  150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
] as const;
/** The jaw line below the mouth, image-left to image-right. */
export const JAW_LINE = [
  132, 58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288, 361,
] as const;

export const FOREHEAD_TOP = 10;
export const CHIN = 152;
export const SUBNASALE = 2;
export const FACE_EDGE_RIGHT = 234;
export const FACE_EDGE_LEFT = 454;
export const CHEEK_RIGHT = 50;
export const CHEEK_LEFT = 280;
export const MESH_POINTS = 468;
