export { type Box, type CropPlan, planCrops, squareInside } from './crops.js';
export { type DatasetOptions, type DatasetResult, prepareLoraDataset } from './prepare-dataset.js';
export { runLoraTrainer, splitCommand, type TrainerOptions } from './trainer.js';
