'use client';
/** The upload limits in force, for the form's checks and hints: the API's once loaded, the defaults before. */
import { createContext, useContext } from 'react';
import { DEFAULT_LIMITS, type UploadLimits } from './config';

export const LimitsContext = createContext<UploadLimits>(DEFAULT_LIMITS);

export function useLimits(): UploadLimits {
  return useContext(LimitsContext);
}
