import { rehearsalScenarios } from './scenarios';

rehearsalScenarios('postgres');
