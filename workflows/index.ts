// Every workflow the worker registers.
export { alertWorkflow } from './alerts/workflow';
export { applicationWorkflow } from './applications/workflow';
