// Every workflow the worker registers.
export { alertWorkflow } from './alert/workflow';
export { applicationWorkflow } from './application/workflow';
export { reportWorkflow } from './report/workflow';
export { wishWorkflow } from './wish/workflow';
export { partyDayWorkflow } from './party-day/workflow';
export { orderWorkflow } from './order/workflow';
export { deliveryWorkflow } from './delivery/workflow';
