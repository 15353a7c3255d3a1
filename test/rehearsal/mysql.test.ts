import { rehearsalScenarios } from './scenarios';

rehearsalScenarios('mysql');
