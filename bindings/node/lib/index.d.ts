// TypeScript declarations of the idiomatic layer (hand-written). The option
// types come from capi.d.ts, generated from the C headers: their field names
// are the C struct fields, enum fields take the member names as strings.

import type {
    CrmAprioriOptionsInput, CrmArimaOptionsInput, CrmCsvOptionsInput, CrmKmeansOptionsInput,
    CrmLinregOptionsInput, CrmLogregOptionsInput, CrmRfmOptionsInput, CrmSilhouetteOptionsInput,
    CrmSynthOptionsInput, CrmTreeOptionsInput, CrmMetricsOptionsInput, CrmImputeMethodName,
    CrmOutlierRuleName, CrmOutlierActionName, CrmTypeName, CrmArimaFreqName, CrmKeepName, CrmJoinName,
    CrmKmeansInitName, CrmKmeansAlgorithmName, CrmTreeTaskName, CrmTreeCriterionName,
    CrmTreeClassWeightName, CrmLinearMissingName, CrmLogregClassWeightName, CrmLogregSolverName,
    CrmClvOptionsInput, CrmClvSummaryOptionsInput, CrmReportOptionsInput, CrmSqlOptionsInput,
    Pointer, ProgressCallback,
} from './capi';
import * as capi from './capi';

export {
    CrmError, InvalidError, NoMemoryError, CrmIOError, ParseError, NotFoundError, CrmTypeError,
    NumericError, StateError, FormatError, CancelledError, UnsupportedError,
} from './errors';
export { capi };
export type { ProgressCallback };

/** Version of the headers this binding was generated from ("MAJOR.MINOR.PATCH"). */
export declare const version: string;
/** Version of the loaded library (crm_version()). */
export declare const libraryVersion: string;
/** Where the library was loaded from ($LIBCRM_PATH, else "libcrm.so.1"). */
export declare const libraryPath: string;

/** A column: numbers (NaN missing), times in seconds (Dataset.TIME_MISSING missing), text (null missing). */
export type Column = Float64Array | BigInt64Array | (string | null)[];
/** What fromColumns()/addColumn() accept. */
export type ColumnInput = Column | (number | null)[] | (Date | bigint | null)[] | Float32Array
    | Int32Array;
export type CsvOptions = Omit<CrmCsvOptionsInput, 'delimiter' | 'quote' | 'types' | 'na_values'> & {
    delimiter?: string | number | null;
    quote?: string | number | null;
    /** "NAME:number|text|time" strings, or {NAME: type}. */
    types?: string[] | { [column: string]: 'number' | 'text' | 'time' } | null;
    na_values?: string[] | string | null;
};

// int32_t fields holding enum values that the API description may not tag yet
// (options.js maps their names the same way): their names are accepted here too.
type Named<O, M> = Omit<O, keyof M> & { [P in keyof M]?: M[P] | number };
export type KMeansOptions = Named<CrmKmeansOptionsInput,
    { init: CrmKmeansInitName; algorithm: CrmKmeansAlgorithmName }>;
export type LogisticRegressionOptions = Named<CrmLogregOptionsInput, {
    missing: CrmLinearMissingName; class_weight: CrmLogregClassWeightName;
    solver: CrmLogregSolverName }>;
export type LinearRegressionOptions = Named<CrmLinregOptionsInput, { missing: CrmLinearMissingName }>;
export type DecisionTreeOptions = Named<CrmTreeOptionsInput, {
    task: CrmTreeTaskName; criterion: CrmTreeCriterionName;
    class_weight: CrmTreeClassWeightName | null; max_depth: null }>;

/** A libcrm table of typed columns; close() frees it (also Symbol.dispose). */
export declare class Dataset {
    /** An empty dataset. */
    constructor();
    static readonly TIME_MISSING: bigint;
    static readCsv(path: string, options?: CsvOptions): Dataset;
    static readCsvString(text: string | Uint8Array, options?: CsvOptions): Dataset;
    static readBaskets(path: string): Dataset;
    static readSql(uri: string, query: string,
                   params?: (number | bigint | boolean | string | Date | null)[],
                   options?: SqlOptions): Dataset;
    writeSql(uri: string, table: string, options?: SqlOptions & {
        mode?: 'create' | 'replace' | 'append' | 'upsert' | number;
        key?: string | string[];
    }): this;
    static fromColumns(columns: { [name: string]: ColumnInput }): Dataset;
    addColumn(name: string, values: ColumnInput): this;
    readonly nrows: number;
    readonly length: number;
    readonly ncols: number;
    readonly columns: string[];
    readonly dtypes: { [name: string]: 'number' | 'text' | 'time' };
    readonly closed: boolean;
    missing(name: string): number;
    column(name: string): Column;
    toColumns(): { [name: string]: Column };
    dropColumn(name: string): this;
    renameColumn(name: string, newName: string): this;
    clone(): Dataset;
    select(names: string | string[]): Dataset;
    sort(keys: string | string[], descending?: boolean | boolean[]): Dataset;
    head(n?: number | bigint): Dataset;
    describe(): Dataset;
    filter(expr: string): Dataset;
    mutate(name: string, expr: string): this;
    group(keys: string | string[], aggs: string | string[]): Dataset;
    join(other: Dataset, keys: string | string[], how?: CrmJoinName): Dataset;
    dedup(options?: { keys?: string | string[] | null; keep?: CrmKeepName | false }): number;
    dropMissing(cols?: string | string[] | null): number;
    impute(col: string, method: CrmImputeMethodName,
           options?: { constant?: number | string | Date; orderBy?: string }): number;
    outliers(col: string, options?: { rule?: CrmOutlierRuleName; k?: number;
                                       action?: CrmOutlierActionName }): number;
    convert(col: string, to: CrmTypeName, format?: string | null): this;
    writeCsv(path: string, options?: CsvOptions): this;
    toCsvString(options?: CsvOptions): string;
    close(): void;
    [Symbol.dispose](): void;
    /** @internal */
    readonly _handle: Pointer;
}

/** A fitted model of any kind; close() frees it (also Symbol.dispose). */
export declare class Model<O = {}> {
    constructor(options?: O);
    options: O;
    static defaultOutCol: string;
    readonly fitted: boolean;
    readonly kindName: string;
    readonly mutate: string[];
    readonly classes: string[];
    readonly statNames: string[];
    predict(ds: Dataset, outCol?: string): Dataset;
    summary(): Dataset;
    stat(name: string): number;
    stats(): { [name: string]: number };
    toJson(): string;
    save(path: string): this;
    static fromJson<T extends Model<any>>(this: new (...a: any[]) => T, text: string): T;
    static load<T extends Model<any>>(this: new (...a: any[]) => T, path: string): T;
    close(): void;
    [Symbol.dispose](): void;
}

export declare class KMeans extends Model<KMeansOptions> {
    columns?: string[];
    fit(ds: Dataset, columns: string | string[]): this;
    elbow(ds: Dataset, columns: string | string[], kMin: number, kMax: number): Dataset;
    /** The centers in the units of the input columns (cluster, size, one column per feature). */
    centersOriginal(): Dataset;
}

/** Random forest of CART trees (crm_forest_fit). */
export declare class RandomForest extends Model<any> {
    target?: string;
    features?: string[];
    fit(ds: Dataset, target: string, features: string | string[]): this;
    readonly featureImportances: { [feature: string]: number };
    readonly permutationImportances: { [feature: string]: number } | null;
    readonly nTrees: number;
    tree(i: number): DecisionTree;
    bag(i: number): number[];
    oobPredict(ds: Dataset, outCol?: string): Dataset;
}

/** Customer lifetime value: BG/NBD + Gamma-Gamma (crm_clv_fit). */
export declare class Clv extends Model<CrmClvOptionsInput> {
    fit(summary: Dataset): this;
    readonly params: { r: number; alpha: number; a: number; b: number; p: number; q: number;
                       v: number };
}

declare class Regression<O> extends Model<O> {
    target?: string;
    features?: string[];
    fit(ds: Dataset, target: string, features: string | string[]): this;
    coefficients(): { [term: string]: { [column: string]: number | string | bigint | null } };
}
export declare class LogisticRegression extends Regression<LogisticRegressionOptions> {}
export declare class LinearRegression extends Regression<LinearRegressionOptions> {}

export declare class DecisionTree extends Model<DecisionTreeOptions> {
    target?: string;
    features?: string[];
    fit(ds: Dataset, target: string, features: string | string[]): this;
    rules(flat?: boolean): string;
    dot(): string;
    readonly featureImportances: { [feature: string]: number };
}

export declare class Arima extends Model<CrmArimaOptionsInput & { auto?: boolean | number }> {
    fit(values: Float64Array | (number | null)[]): this;
    fitDataset(ds: Dataset, timeCol: string, valueCol: string, period?: CrmArimaFreqName): this;
    forecast(h: number, level?: number | number[]): Dataset;
}

export type SqlOptions = Omit<CrmSqlOptionsInput, 'mode' | 'column_types'> & {
    column_types?: string[] | { [column: string]: string };
};
export type ReportOptions = Omit<CrmReportOptionsInput, 'customer' | 'date' | 'as_of'> & {
    as_of?: Date | number | bigint;
};
export declare function clvSummary(tx: Dataset, customer: string, date: string, amount: string,
                                   options?: Omit<CrmClvSummaryOptionsInput,
                                       'customer' | 'date' | 'amount' | 'calibration_end' |
                                       'observation_end'> & {
                                       calibration_end?: Date | number | bigint;
                                       observation_end?: Date | number | bigint;
                                   }): Dataset;
export declare function report(tx: Dataset, path: string, customer: string, date: string,
                               options?: ReportOptions): void;
export declare function reportHtml(tx: Dataset, customer: string, date: string,
                                   options?: ReportOptions): string;
export declare function loadModel(path: string): Model<any>;
export declare function rfm(tx: Dataset, options: Omit<CrmRfmOptionsInput, 'as_of'> & {
    as_of?: Date | number | bigint;
}): Dataset;
export declare function apriori(tx: Dataset, tid: string, item: string,
                                options?: CrmAprioriOptionsInput): { itemsets: Dataset; rules: Dataset };
export declare function synth(options?: Omit<CrmSynthOptionsInput, 'start'> & {
    start?: Date | number | bigint;
}): Dataset;
export declare function splitItems(text: string | null, separator?: string): string[] | null;
export declare function silhouette(ds: Dataset, columns: string | string[], labelCol: string,
                                   options?: CrmSilhouetteOptionsInput): number;
export declare function rfmDefaultAsOf(tx: Dataset, date: string): Date;
export declare function rfmSegments(): string[];
export declare function rfmStages(): string[];
export declare function nps(ds: Dataset, col: string): number;
export declare function satisfaction(ds: Dataset, col: string, positive?: string[] | null): number;
export declare function funnel(ds: Dataset, stageCol: string, stages: string[]): Dataset;
export declare function classificationMetrics(ds: Dataset, truth: string, score: string,
                                              options?: CrmMetricsOptionsInput): { [name: string]: number };
export declare function regressionMetrics(ds: Dataset, truth: string, prediction: string,
                                          options?: CrmMetricsOptionsInput): { [name: string]: number };
export declare function arimaMany(ds: Dataset, by: string, timeCol: string, valueCol: string,
                                  options?: CrmArimaOptionsInput & { h?: number; level?: number;
                                                                     auto?: boolean | number }):
    { fits: Dataset; forecasts: Dataset };
