// Every workflow the worker registers.
export { alertWorkflow } from './alerts/workflow';
export { applicationWorkflow } from './applications/workflow';
export { reportWorkflow } from './reports/workflow';
export { wishWorkflow } from './wishes/workflow';
export { partyDayWorkflow } from './party-day/workflow';
